// The checker's JSON report (schema kubeslurm.gpucheck/v1, see docs/gpucheck.md) and what the
// prolog makes of it: run the job, or drain this node with a precise reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/child_process.h"
#include "common/result.h"
#include "health/check_result.h"

namespace ks::spank {

// Results are parsed with the checker's own code (health/check_result.h), so that the reason the
// gate writes is the one the checker's report and table show.
struct Report {
    std::string node;
    std::string level;
    health::Status status = health::Status::Pass;  // this node's verdict
    double duration_s = 0;
    std::vector<health::CheckResult> results;
    std::vector<std::string> culprits;
};

// Parses the one JSON document the checker writes to stdout; rejects other schemas.
Result<Report> parse_report(std::string_view json);

enum class OnError { Run, Drain, Fail };
std::optional<OnError> parse_on_error(std::string_view text);

struct Decision {
    std::string result;   // pass|fail|skip|error|timeout: exported to the job
    std::string summary;  // one line for logs and KUBESLURM_GPU_CHECK_SUMMARY
    std::string checks;   // "check=status,..." of every result, for KUBESLURM_GPU_CHECKS
    bool drain = false;   // drain this node with `reason`
    bool fail = false;    // make the prolog fail (Slurm requeues the job)
    std::string reason;   // drain reason, "kubeslurm: <check>: ..."
};

// Turns the checker's run into the prolog's decision. `timeout_s` is the deadline the prolog
// enforced (named in the reason when the checker had to be killed).
Decision decide(const ChildOutcome& run, OnError on_error, long timeout_s);

// Reason written into `scontrol show node` for a result of this node: one line, at most 200
// characters ("kubeslurm: <check>: <value> < <threshold> <unit>", "... timeout after N s").
std::string gate_reason(const health::CheckResult& result);

}  // namespace ks::spank
