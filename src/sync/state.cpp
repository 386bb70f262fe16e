#include "sync/state.h"

#include <sstream>

namespace ks::sync {

const Condition* KubeNode::condition(const std::string& type) const {
    for (const auto& c : conditions)
        if (c.type == type) return &c;
    return nullptr;
}

const Taint* KubeNode::taint(const std::string& key) const {
    for (const auto& t : taints)
        if (t.key == key) return &t;
    return nullptr;
}

bool is_slurm_action(ActionKind kind) {
    return kind == ActionKind::Drain || kind == ActionKind::Resume || kind == ActionKind::SetFeatures;
}

std::string describe(const Action& a) {
    std::ostringstream os;
    switch (a.kind) {
    case ActionKind::Drain:
        os << "slurm: drain " << a.slurm_node << " reason='" << a.reason << "'";
        break;
    case ActionKind::Resume:
        os << "slurm: resume " << a.slurm_node;
        break;
    case ActionKind::SetFeatures: {
        os << "slurm: features " << a.slurm_node << " '";
        for (size_t i = 0; i < a.features.size(); ++i) os << (i ? "," : "") << a.features[i];
        os << "'";
        break;
    }
    case ActionKind::SetCondition:
        os << "k8s: condition " << a.kube_node << " status=True reason='" << a.reason
           << "' message='" << a.message << "'";
        break;
    case ActionKind::ClearCondition:
        os << "k8s: condition " << a.kube_node << " status=False";
        break;
    case ActionKind::AddTaint:
        os << "k8s: taint " << a.kube_node << " value='" << a.reason << "' effect=NoSchedule";
        break;
    case ActionKind::RemoveTaint:
        os << "k8s: untaint " << a.kube_node;
        break;
    case ActionKind::StartReturnCheck:
        os << "slurm: return check " << a.slurm_node << " level=" << a.reason << " (" << a.message << ")";
        break;
    case ActionKind::RefuseReturnCheck:
        os << "refuse return check " << a.slurm_node << ": " << a.message;
        break;
    }
    return os.str();
}

}  // namespace ks::sync
