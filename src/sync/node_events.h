// The Kubernetes Events kubeslurm-sync records on a node for each verdict it acts on or sees:
// a drain it makes, a resume, and a health-gate drain it mirrors. The reason names the verdict
// (UpperCamelCase, stable: alerts and `kubectl get events --field-selector reason=…` key on it),
// the message says it in words, and annotations carry the details as fields:
//   kubeslurm.io/slurm-node, kubeslurm.io/cause (drains), kubeslurm.io/check,
//   kubeslurm.io/figure, kubeslurm.io/threshold, kubeslurm.io/unit (a failed check's figure),
//   kubeslurm.io/job (the Slurm job that ran the check, when kubeslurm-sync knows it).
#pragma once

#include <optional>
#include <string_view>

#include "k8s/client.h"
#include "sync/state.h"

namespace ks::sync {

inline constexpr std::string_view kEventComponent = "kubeslurm-sync";
inline constexpr std::string_view kEventDrained = "SlurmNodeDrained";
inline constexpr std::string_view kEventResumed = "SlurmNodeResumed";
inline constexpr std::string_view kEventGateFailed = "HealthCheckFailed";

// The Event for an action that carries a verdict; nullopt for the others (features, taints, the
// condition's clearing, which the resume already tells).
std::optional<k8s::NodeEvent> action_event(const Action& action);

// A drain reason's cause for metrics labels: "cordoned", "not_ready", "taint" (the first of
// kubeslurm-sync's causes), "health_check" (the health gate), "" (anyone else's reason).
std::string drain_cause_label(std::string_view reason);

}  // namespace ks::sync
