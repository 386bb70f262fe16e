#include "sync/reconcile.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/strings.h"
#include "sync/reasons.h"
#include "sync/return_check.h"

namespace ks::sync {
namespace {

bool not_ready(const KubeNode& node) {
    // No Ready condition at all means "no information yet" (a node still registering): no cause.
    const Condition* ready = node.condition("Ready");
    return ready && ready->status != "True";
}

std::vector<std::string> desired_features(const SlurmNode& s, const KubeNode& k, const Options& o) {
    std::vector<std::string> out;
    for (const auto& f : s.features)
        if (!str::starts_with(f, kGpuFeaturePrefix)) out.push_back(f);
    if (o.gpu_features) {
        auto it = k.labels.find(o.gpu_product_label);
        if (it != k.labels.end() && !gpu_feature(it->second).empty()) out.push_back(gpu_feature(it->second));
    }
    return out;
}

// Without a Kubernetes cause: what the return-to-service gate asks for this node (see
// return_check.h), or a plain resume of our own drain when the gate is off.
void return_actions(const SlurmNode& s, const KubeNode& k, const Options& o, std::vector<Action>& out) {
    const bool ours = s.drain && is_own_reason(s.reason);
    if (o.return_check_level.empty()) {
        if (ours) out.push_back({ActionKind::Resume, s.name, k.name, {}, {}, {}});
        return;
    }
    if (ours && !k.return_request) {
        out.push_back({ActionKind::StartReturnCheck, s.name, k.name, o.return_check_level, "kubernetes", {}});
        return;
    }
    if (!k.return_request) return;
    auto level = requested_level(*k.return_request, o.return_check_level);
    const std::string trigger = k.return_request->empty() ? "requested" : *k.return_request;
    if (!level) {
        out.push_back({ActionKind::RefuseReturnCheck, s.name, k.name, {}, level.error(), {}});
    } else if (s.drain && !ours && !parse_health_reason(s.reason)) {
        out.push_back({ActionKind::RefuseReturnCheck, s.name, k.name, {},
                       "drained by an admin (reason '" + s.reason + "'): left alone", {}});
    } else {
        out.push_back({ActionKind::StartReturnCheck, s.name, k.name, *level, trigger, {}});
    }
}

void slurm_actions(const SlurmNode& s, const KubeNode& k, const Options& o, bool checking,
                   std::vector<Action>& out) {
    const std::string cause = drain_cause(k, o);
    const bool ours = s.drain && is_own_reason(s.reason);
    if (!cause.empty()) {
        const std::string reason = own_reason(cause);
        if (!s.drain || (ours && s.reason != reason))
            out.push_back({ActionKind::Drain, s.name, k.name, reason, {}, {}});
    } else if (!checking) {
        return_actions(s, k, o, out);
    }
    // Features are only ever mirrored from a label we can see; without GpuFeatures they are
    // left exactly as the admin configured them.
    if (o.gpu_features) {
        auto want = desired_features(s, k, o);
        if (want != s.features) out.push_back({ActionKind::SetFeatures, s.name, k.name, {}, {}, std::move(want)});
    }
}

// Kubernetes side, once per Kubernetes node: unhealthy while any Slurm node on it is drained by
// the health gate (the first one by name decides the check shown).
void kube_actions(const KubeNode& k, const std::vector<const SlurmNode*>& on_node, const Options& o,
                  std::vector<Action>& out) {
    std::optional<HealthVerdict> verdict;
    std::string failed;  // the Slurm node whose verdict is shown
    for (const SlurmNode* s : on_node)
        if (s->drain && (verdict = parse_health_reason(s->reason))) {
            failed = s->name;
            break;
        }

    const Condition* cond = k.condition(o.condition_type);
    const Taint* taint = k.taint(o.unhealthy_taint_key);
    if (verdict) {
        if (!cond || cond->status != "True" || cond->reason != verdict->check || cond->message != verdict->detail)
            out.push_back({ActionKind::SetCondition, failed, k.name, verdict->check, verdict->detail, {}});
        if (!taint || taint->value != verdict->check || taint->effect != "NoSchedule")
            out.push_back({ActionKind::AddTaint, {}, k.name, verdict->check, {}, {}});
    } else {
        if (cond && cond->status == "True") out.push_back({ActionKind::ClearCondition, {}, k.name, {}, {}, {}});
        if (taint) out.push_back({ActionKind::RemoveTaint, {}, k.name, {}, {}, {}});
    }
}

}  // namespace

std::vector<NodePair> map_by_name(const std::map<std::string, SlurmNode>& slurm,
                                  const std::map<std::string, KubeNode>& kube) {
    std::vector<NodePair> out;
    for (const auto& [name, node] : slurm)
        if (kube.count(name)) out.push_back({name, name});
    return out;
}

std::vector<NodePair> map_by_pods(std::vector<SlurmdPod> pods) {
    std::sort(pods.begin(), pods.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::set<std::string> seen;
    std::vector<NodePair> out;
    for (const auto& p : pods) {
        const std::string& host = p.hostname.empty() ? p.name : p.hostname;
        if (p.node_name.empty() || !seen.insert(host).second) continue;
        out.push_back({host, p.node_name});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.slurm < b.slurm; });
    return out;
}

std::string drain_cause(const KubeNode& node, const Options& o) {
    std::vector<std::string> causes;
    if (node.unschedulable) causes.push_back("cordoned");
    if (not_ready(node)) causes.push_back("NotReady");
    for (const auto& t : node.taints)
        if (t.key != o.unhealthy_taint_key &&
            std::find(o.drain_taints.begin(), o.drain_taints.end(), t.key) != o.drain_taints.end())
            causes.push_back("taint " + t.key);
    std::string out;
    for (const auto& c : causes) out += (out.empty() ? "" : ", ") + c;
    return out;
}

std::string gpu_feature(std::string_view product) {
    std::string out;
    for (char c : str::trim(product)) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
        out += keep ? c : '_';
    }
    return out.empty() ? out : std::string(kGpuFeaturePrefix) + out;
}

std::vector<Action> reconcile(const std::vector<NodePair>& pairs, const std::map<std::string, SlurmNode>& slurm,
                              const std::map<std::string, KubeNode>& kube, const Options& options,
                              const std::set<std::string>& checking) {
    std::vector<Action> out;
    std::map<std::string, std::vector<const SlurmNode*>> by_kube;
    std::set<std::string> kube_checking;  // their health is being decided: left as they are
    for (const auto& p : pairs) {
        auto s = slurm.find(p.slurm);
        auto k = kube.find(p.kube);
        if (s == slurm.end() || k == kube.end()) continue;
        const bool under_check = checking.count(p.slurm) > 0;
        slurm_actions(s->second, k->second, options, under_check, out);
        by_kube[p.kube].push_back(&s->second);
        if (under_check) kube_checking.insert(p.kube);
    }
    for (auto& [name, nodes] : by_kube) {
        if (kube_checking.count(name)) continue;
        std::sort(nodes.begin(), nodes.end(), [](auto* a, auto* b) { return a->name < b->name; });
        kube_actions(kube.at(name), nodes, options, out);
    }
    return out;
}

bool still_wanted(const Action& a, const SlurmNode& fresh) {
    const bool ours = fresh.drain && is_own_reason(fresh.reason);
    // An undrained node may still carry its last reason (Slurm 24.11 keeps it after a resume): only
    // a drained node's reason tells that the drain is done.
    if (a.kind == ActionKind::Drain) return !fresh.drain || (ours && fresh.reason != a.reason);
    if (a.kind == ActionKind::Resume) return ours;
    // A check resumes the node: never one an admin drained since the pass read it.
    if (a.kind == ActionKind::StartReturnCheck) return !fresh.drain || ours || parse_health_reason(fresh.reason);
    return true;
}

void apply(const Action& a, std::map<std::string, SlurmNode>& slurm, std::map<std::string, KubeNode>& kube,
           const Options& o) {
    if (is_slurm_action(a.kind)) {
        auto it = slurm.find(a.slurm_node);
        if (it == slurm.end()) return;
        SlurmNode& s = it->second;
        if (a.kind == ActionKind::Drain) {
            s.drain = true;
            s.reason = a.reason;
        } else if (a.kind == ActionKind::Resume) {
            s.drain = false;
            s.reason.clear();
        } else {
            s.features = a.features;
        }
        return;
    }
    auto it = kube.find(a.kube_node);
    if (it == kube.end()) return;
    KubeNode& k = it->second;
    auto& conds = k.conditions;
    auto& taints = k.taints;
    switch (a.kind) {
    case ActionKind::SetCondition:
    case ActionKind::ClearCondition: {
        Condition c = a.kind == ActionKind::SetCondition
                          ? Condition{o.condition_type, "True", a.reason, a.message}
                          : Condition{o.condition_type, "False", std::string(kConditionClearedReason), ""};
        std::erase_if(conds, [&](const Condition& x) { return x.type == o.condition_type; });
        conds.push_back(std::move(c));
        break;
    }
    case ActionKind::AddTaint:
        std::erase_if(taints, [&](const Taint& t) { return t.key == o.unhealthy_taint_key; });
        taints.push_back({o.unhealthy_taint_key, a.reason, "NoSchedule"});
        break;
    case ActionKind::RemoveTaint:
        std::erase_if(taints, [&](const Taint& t) { return t.key == o.unhealthy_taint_key; });
        break;
    default:
        break;
    }
}

}  // namespace ks::sync
