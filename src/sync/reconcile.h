// The decision logic of kubeslurm-sync: from the Kubernetes and Slurm view of each node to the
// actions that bring them in line. Pure functions, no I/O; applying the returned actions and
// reconciling again yields no actions (idempotent).
//
// Rules, per Slurm node mapped to a Kubernetes node:
//  1. Cordon, Ready != True, or a taint listed in DrainTaints is a cause. With a cause, an
//     undrained node is drained with "kubeslurm: k8s: <causes>"; a node drained by us gets the
//     reason updated when the causes change; a node drained by anyone else is left alone.
//  2. Without a cause, a node whose drain reason is ours is resumed. Nothing else is resumed.
//     With ReturnCheckLevel set it is checked first instead (StartReturnCheck), and the
//     kubeslurm.io/return-check annotation asks for a check (see sync/return_check.h). Nodes
//     under check get no resume, no new check and no condition/taint change until the verdict.
//  3. GPU product label -> Slurm feature "gpu_<product>" (GpuFeatures); the "gpu_" prefix is ours.
//  4. A Slurm node drained by the health gate ("kubeslurm: <check>: <detail>") -> the Kubernetes
//     node gets condition <type>=True (reason = check, message = detail) and the taint
//     <key>=<check>:NoSchedule; once no Slurm node on it is health-drained, the condition goes
//     False and the taint is removed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sync/state.h"

namespace ks::sync {

struct Options {
    std::vector<std::string> drain_taints;  // taint keys that drain (besides cordon/NotReady)
    bool gpu_features = true;
    std::string condition_type = "GPUHealthCheckFailed";
    std::string unhealthy_taint_key = "kubeslurm.io/unhealthy";
    std::string gpu_product_label = "nvidia.com/gpu.product";
    std::string return_check_level;  // quick | nccl | full; "" = resume at once (ReturnCheckLevel=off)
};

inline constexpr std::string_view kGpuFeaturePrefix = "gpu_";
inline constexpr std::string_view kConditionClearedReason = "HealthCheckPassed";

struct NodePair {
    std::string slurm;
    std::string kube;
    bool operator==(const NodePair&) const = default;
};

// NodeMapping=node: every Slurm node that has a Kubernetes node of the same name.
std::vector<NodePair> map_by_name(const std::map<std::string, SlurmNode>& slurm,
                                  const std::map<std::string, KubeNode>& kube);
// NodeMapping=pod: every scheduled slurmd pod (hostname -> spec.nodeName). When two pods claim the
// same Slurm node, the one with the smallest name wins so the choice is stable.
std::vector<NodePair> map_by_pods(std::vector<SlurmdPod> pods);

// The causes that drain this node, "" when none: "cordoned, NotReady, taint example.com/x".
std::string drain_cause(const KubeNode& node, const Options& options);
// "NVIDIA H100 80GB HBM3" -> "gpu_NVIDIA_H100_80GB_HBM3" (only [A-Za-z0-9._-] kept).
std::string gpu_feature(std::string_view product);

// All actions for the mapped nodes; pairs naming unknown nodes are skipped. `checking`: the Slurm
// nodes whose return-to-service check is running.
std::vector<Action> reconcile(const std::vector<NodePair>& pairs,
                              const std::map<std::string, SlurmNode>& slurm,
                              const std::map<std::string, KubeNode>& kube, const Options& options,
                              const std::set<std::string>& checking = {});

// Re-check of a Drain, Resume or StartReturnCheck against the Slurm node's state read right before acting, so a
// drain set by an admin since the last poll is never overwritten or resumed. Other actions: true.
bool still_wanted(const Action& action, const SlurmNode& fresh);

// The effect of an action on the local view (used for optimistic caching and tests).
void apply(const Action& action, std::map<std::string, SlurmNode>& slurm,
           std::map<std::string, KubeNode>& kube, const Options& options);

}  // namespace ks::sync
