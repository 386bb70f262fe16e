// The Kubernetes Events kubeslurm-sync records on a node for each verdict it acts on or sees:
// a drain it makes, a resume, a health-gate drain it mirrors, and each step of a
// return-to-service check. The reason names the verdict
// (UpperCamelCase, stable: alerts and `kubectl get events --field-selector reason=…` key on it),
// the message says it in words, and annotations carry the details as fields:
//   kubeslurm.io/slurm-node, kubeslurm.io/cause (drains), kubeslurm.io/check,
//   kubeslurm.io/figure, kubeslurm.io/threshold, kubeslurm.io/unit (a failed check's figure),
//   kubeslurm.io/job, kubeslurm.io/level (the Slurm job that ran a return-to-service check).
#pragma once

#include <optional>
#include <string_view>

#include "k8s/client.h"
#include "sync/return_check.h"
#include "sync/state.h"

namespace ks::sync {

inline constexpr std::string_view kEventComponent = "kubeslurm-sync";
inline constexpr std::string_view kEventDrained = "SlurmNodeDrained";
inline constexpr std::string_view kEventResumed = "SlurmNodeResumed";
inline constexpr std::string_view kEventGateFailed = "HealthCheckFailed";
inline constexpr std::string_view kEventReturnRefused = "ReturnCheckRefused";

// The Event for an action that carries a verdict; nullopt for the others (features, taints, the
// condition's clearing, which the resume already tells).
std::optional<k8s::NodeEvent> action_event(const Action& action);

// A return-to-service check of `check.slurm_node` by `job` at `level`: ReturnCheckStarted (for
// Outcome::Running), ReturnCheckPassed, ReturnCheckFailed (with the gate's figure and threshold),
// ReturnCheckAborted, ReturnCheckError (also for a vanished node). Annotations add
// kubeslurm.io/job and kubeslurm.io/level.
k8s::NodeEvent return_check_event(const Action& check, uint32_t job, const Judgement& judgement);

// A drain reason's cause for metrics labels: "cordoned", "not_ready", "taint" (the first of
// kubeslurm-sync's causes), "health_check" (the health gate), "" (anyone else's reason).
std::string drain_cause_label(std::string_view reason);

}  // namespace ks::sync
