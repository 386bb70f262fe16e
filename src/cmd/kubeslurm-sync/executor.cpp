#include "executor.h"

#include <chrono>

#include "common/hostlist.h"
#include "slurm/nodes.h"
#include "sync/node_events.h"

namespace ks::sync_daemon {

using sync::ActionKind;

double unix_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

const char* action_name(ActionKind kind) {
    switch (kind) {
    case ActionKind::Drain: return "drain";
    case ActionKind::Resume: return "resume";
    case ActionKind::SetFeatures: return "features";
    case ActionKind::SetCondition: return "condition";
    case ActionKind::ClearCondition: return "clear-condition";
    case ActionKind::AddTaint: return "taint";
    case ActionKind::RemoveTaint: return "untaint";
    case ActionKind::StartReturnCheck: return "return-check";
    case ActionKind::RefuseReturnCheck: return "refuse-return-check";
    }
    return "?";
}

Executor::Executor(k8s::Client* client, sync::Metrics& metrics, sync::Options options, EventRecorder* events)
    : m_client(client), m_metrics(metrics), m_events(events), m_options(std::move(options)) {}

void Executor::set_options(sync::Options options) {
    std::lock_guard lock(m_options_mu);
    m_options = std::move(options);
}

sync::Options Executor::options() const {
    std::lock_guard lock(m_options_mu);
    return m_options;
}

Executor::~Executor() {
    if (m_log) std::fclose(m_log);
}

Status Executor::open_action_log(const std::string& path) {
    m_log = std::fopen(path.c_str(), "ae");
    if (!m_log) return Error{"cannot open action log " + path};
    return {};
}

Status Executor::execute(const sync::Action& a) {
    Status st = run(a);
    if (!st) {
        (sync::is_slurm_action(a.kind) ? m_metrics.slurm_errors : m_metrics.action_errors).fetch_add(1);
        return st;
    }
    succeeded(a);
    return {};
}

Status Executor::execute_slurm_batch(const std::vector<sync::Action>& same) {
    if (same.size() == 1) return execute(same.front());
    std::vector<std::string> names;
    for (const auto& a : same) names.push_back(a.slurm_node);
    sync::Action batch = same.front();
    batch.slurm_node = hostlist::compress(names);
    Status st = run(batch);
    if (!st) {
        m_metrics.slurm_errors.fetch_add(1);
        return st;
    }
    for (const auto& a : same) succeeded(a);
    return {};
}

void Executor::succeeded(const sync::Action& a) {
    switch (a.kind) {
    case ActionKind::Drain: m_metrics.drains.add(sync::drain_cause_label(a.reason)); break;
    case ActionKind::Resume: m_metrics.resumes.add("kubernetes"); break;
    case ActionKind::SetFeatures: m_metrics.feature_updates.fetch_add(1); break;
    case ActionKind::SetCondition: {
        m_metrics.condition_updates.fetch_add(1);
        m_metrics.drains.add("health_check");
        m_metrics.verdicts.set(a.slurm_node, "fail", a.reason, sync::parse_figure(a.message), unix_now());
        break;
    }
    case ActionKind::ClearCondition: m_metrics.condition_updates.fetch_add(1); break;
    case ActionKind::AddTaint:
    case ActionKind::RemoveTaint: m_metrics.taint_updates.fetch_add(1); break;
    case ActionKind::StartReturnCheck:
    case ActionKind::RefuseReturnCheck: break;  // carried out and counted by ReturnChecks
    }
    record(a);
    if (auto e = sync::action_event(a); e && m_events && !e->node.empty()) m_events->record(std::move(*e));
}

Status Executor::run(const sync::Action& a) {
    switch (a.kind) {
    case ActionKind::Drain: return slurm::drain(a.slurm_node, a.reason);
    case ActionKind::Resume: return slurm::resume(a.slurm_node);
    case ActionKind::SetFeatures: return slurm::set_features(a.slurm_node, a.features);
    case ActionKind::StartReturnCheck:
    case ActionKind::RefuseReturnCheck: return Error{"return checks are carried out by ReturnChecks"};
    default: break;
    }
    if (!m_client) return Error{"no Kubernetes client"};
    const sync::Options o = options();
    if (a.kind == ActionKind::SetCondition || a.kind == ActionKind::ClearCondition) {
        k8s::Condition c;
        c.type = o.condition_type;
        if (a.kind == ActionKind::SetCondition) {
            c.status = "True";
            c.reason = a.reason;
            c.message = a.message;
        } else {
            c.status = "False";
            c.reason = std::string(sync::kConditionClearedReason);
            c.message = "kubeslurm: the Slurm node is no longer drained by the health gate";
        }
        auto r = m_client->set_node_condition(a.kube_node, c);
        if (!r) return Error{"set condition on " + a.kube_node + ": " + r.error()};
        return {};
    }
    Result<bool> r = a.kind == ActionKind::AddTaint
                         ? m_client->add_node_taint(a.kube_node, {o.unhealthy_taint_key, a.reason, "NoSchedule", ""})
                         : m_client->remove_node_taint(a.kube_node, o.unhealthy_taint_key);
    if (!r) return Error{std::string(action_name(a.kind)) + " " + a.kube_node + ": " + r.error()};
    return {};
}

void Executor::record(const sync::Action& a) {
    if (!m_log) return;
    const double t = unix_now();
    nlohmann::json line = {{"t", t}, {"action", action_name(a.kind)}, {"slurm_node", a.slurm_node},
                           {"kube_node", a.kube_node}, {"reason", a.reason}};
    if (a.kind == ActionKind::SetFeatures) line["features"] = a.features;
    const std::string text = line.dump() + "\n";
    std::lock_guard lock(m_log_mu);
    std::fwrite(text.data(), 1, text.size(), m_log);
    std::fflush(m_log);
}

}  // namespace ks::sync_daemon
