// What kubeslurm-sync knows about one node on each side, and the actions it may take. Plain data:
// the decision logic (reconcile.h) is a pure function of these.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ks::sync {

struct Taint {
    std::string key, value, effect;
    bool operator==(const Taint&) const = default;
};

struct Condition {
    std::string type, status, reason, message;
};

struct KubeNode {
    std::string name;
    bool unschedulable = false;  // cordoned
    std::map<std::string, std::string> labels;
    std::vector<Taint> taints;
    std::vector<Condition> conditions;
    std::optional<std::string> return_request;  // annotation kubeslurm.io/return-check, when set
    std::string identity;  // "<spec.providerID> <status.nodeInfo.bootID>": changes when replaced

    const Condition* condition(const std::string& type) const;
    const Taint* taint(const std::string& key) const;
};

struct SlurmNode {
    std::string name;
    bool drain = false;  // DRAIN flag (draining or drained)
    std::string reason;
    std::vector<std::string> features;  // available features
};

// A slurmd pod (NodeMapping=pod): its hostname is the Slurm node, spec.nodeName the Kubernetes node.
struct SlurmdPod {
    std::string name;
    std::string hostname;  // spec.hostname, or the pod name when unset
    std::string node_name;  // spec.nodeName (empty while unscheduled)
};

enum class ActionKind {
    Drain,           // Slurm: DRAIN slurm_node with reason
    Resume,          // Slurm: RESUME slurm_node (only ever our own drains)
    SetFeatures,     // Slurm: replace slurm_node's features with `features`
    SetCondition,    // Kubernetes: health condition True on kube_node (reason = check, message)
    ClearCondition,  // Kubernetes: health condition False on kube_node
    AddTaint,        // Kubernetes: unhealthy taint = check:NoSchedule on kube_node
    RemoveTaint,     // Kubernetes: remove the unhealthy taint from kube_node
    StartReturnCheck,   // return-to-service check of slurm_node at level `reason` (trigger: message)
    RefuseReturnCheck,  // a return-check request that cannot be carried out (why: message); no change
};

struct Action {
    ActionKind kind;
    std::string slurm_node;
    std::string kube_node;
    std::string reason;   // Drain: Slurm reason; SetCondition: condition reason (the check)
    std::string message;  // SetCondition: condition message
    std::vector<std::string> features;  // SetFeatures
    bool operator==(const Action&) const = default;
};

bool is_slurm_action(ActionKind kind);
// One line for logs and --dry-run, e.g. "slurm: drain n3 reason='kubeslurm: k8s: cordoned'".
std::string describe(const Action& action);

}  // namespace ks::sync
