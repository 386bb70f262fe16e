// The return-to-service gate's decisions (pure; the daemon's ReturnChecks carries them out).
//
// A Slurm node that kubeslurm drained, or that Kubernetes hands back, is checked before it takes
// jobs: kubeslurm-sync reserves it (a MAINT reservation of its own, so user jobs cannot land
// first), resumes it, and runs the health gate on it through Slurm: a batch job of its own with
// the gate at the configured level. Pass: the reservation goes and the node is in service. Fail:
// the gate has drained it with the failing check's figure and threshold; it stays drained.
//
// What starts a check (ReturnCheckLevel set; reconcile() emits StartReturnCheck):
//   * every Kubernetes cause of kubeslurm-sync's own drain is gone (uncordon, Ready again), where
//     it resumed at once before;
//   * the annotation kubeslurm.io/return-check on the Kubernetes node: set by an admin to hand a
//     node back ("yes", or a level: quick|nccl|full), or by kubeslurm-sync itself ("replaced")
//     when the node's providerID or bootID changes. It is honoured on a node drained by the
//     health gate or by a failed check, and on a node in service; never on a node an admin
//     drained (RefuseReturnCheck: a Warning Event, nothing changes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "sync/reasons.h"
#include "sync/state.h"

namespace ks::sync {

inline constexpr std::string_view kReturnCheckAnnotation = "kubeslurm.io/return-check";
inline constexpr std::string_view kReplacedRequest = "replaced";
inline constexpr std::string_view kReservationPrefix = "kubeslurm-return-";
inline constexpr std::string_view kReturnCheckJobName = "kubeslurm-return-check";
// A check that could not reach a verdict keeps the node out of service under this reason (the
// health-gate form, so Kubernetes sees the node unhealthy until someone hands it back).
inline constexpr std::string_view kReturnCheckErrorPrefix = "kubeslurm: return-check: ";

// The check job's script: the health gate runs in its prolog; the script itself only confirms
// that the gate ran and passed (KUBESLURM_GPU_CHECK_RESULT, exported by spank_kubeslurm), so a
// node without the gate (plugin missing, check off, checker error with OnCheckerError=run) never
// passes unchecked.
inline constexpr int kGateNotPassedExit = 3;
std::string check_job_script();

bool is_check_level(std::string_view level);  // quick | nccl | full
// The level an annotation value asks for: a level name, or the default for any of "", "yes",
// "true", "requested", "replaced". Anything else is an error naming the accepted values.
Result<std::string> requested_level(std::string_view value, const std::string& default_level);

std::string reservation_name(const std::string& slurm_node);

// What Slurm says of a check job.
struct CheckJob {
    std::string state;  // PENDING, RUNNING, COMPLETED, FAILED, ...
    bool finished = false;
    int exit_code = 0;
};

enum class Outcome { Running, Passed, Failed, Aborted, Vanished, Error };
std::string_view outcome_name(Outcome o);  // running, pass, fail, aborted, vanished, error

struct Judgement {
    Outcome outcome = Outcome::Running;
    std::string detail;                   // why, in words (logs, Events)
    std::optional<HealthVerdict> failure;  // Failed: the gate's verdict
};

// A running check's outcome from fresh state: the Slurm node (nullopt: it vanished), the job
// (nullopt: slurmctld no longer knows it), and whether its deadline passed.
Judgement judge(const std::optional<SlurmNode>& node, uint32_t job_id, const std::optional<CheckJob>& job,
                bool past_deadline);

}  // namespace ks::sync
