#include "sync/return_check.h"

namespace ks::sync {

std::string check_job_script() {
    return "#!/bin/sh\n"
           "# kubeslurm-sync return-to-service check: the health gate ran in this job's prolog.\n"
           "[ \"$KUBESLURM_GPU_CHECK_RESULT\" = pass ] && exit 0\n"
           "echo \"health gate result: ${KUBESLURM_GPU_CHECK_RESULT:-none}\" >&2\n"
           "exit " + std::to_string(kGateNotPassedExit) + "\n";
}

bool is_check_level(std::string_view level) { return level == "quick" || level == "nccl" || level == "full"; }

Result<std::string> requested_level(std::string_view value, const std::string& default_level) {
    if (is_check_level(value)) return std::string(value);
    for (std::string_view same : {"", "yes", "true", "requested", "replaced"})
        if (value == same) return default_level;
    return Error{std::string(kReturnCheckAnnotation) + "=" + std::string(value) +
                 ": unknown level, expected one of quick|nccl|full (or yes for ReturnCheckLevel)"};
}

std::string reservation_name(const std::string& slurm_node) { return std::string(kReservationPrefix) + slurm_node; }

std::string_view outcome_name(Outcome o) {
    switch (o) {
    case Outcome::Running: return "running";
    case Outcome::Passed: return "pass";
    case Outcome::Failed: return "fail";
    case Outcome::Aborted: return "aborted";
    case Outcome::Vanished: return "vanished";
    case Outcome::Error: return "error";
    }
    return "?";
}

Judgement judge(const std::optional<SlurmNode>& node, uint32_t job_id, const std::optional<CheckJob>& job,
                bool past_deadline) {
    const std::string job_text = "job " + std::to_string(job_id);
    if (!node) return {Outcome::Vanished, "the Slurm node vanished during its return check", {}};
    if (node->drain) {
        // The gate drains with "kubeslurm: <check>: <figure>"; our own reasons and an admin's are
        // someone taking the node back out of service while it was being checked.
        if (auto verdict = parse_health_reason(node->reason))
            return {Outcome::Failed, verdict->check + ": " + verdict->detail, verdict};
        return {Outcome::Aborted, "drained during its return check: " + node->reason, {}};
    }
    if (!job) return {Outcome::Error, job_text + " vanished from slurmctld", {}};
    if (job->finished) {
        if (job->state == "COMPLETED" && job->exit_code == 0) return {Outcome::Passed, job_text + " passed", {}};
        if (job->exit_code == kGateNotPassedExit)
            return {Outcome::Error, job_text + ": the health gate did not pass it (spank_kubeslurm missing, check off, "
                                    "or the checker could not run)", {}};
        return {Outcome::Error, job_text + " ended " + job->state + " (exit " + std::to_string(job->exit_code) + ")", {}};
    }
    if (past_deadline) return {Outcome::Error, job_text + " reached no verdict before ReturnCheckTimeout", {}};
    return {Outcome::Running, job_text + " " + job->state, {}};
}

}  // namespace ks::sync
