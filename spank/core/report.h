// The checker's JSON report (schema kubeslurm.gpucheck/v1, see docs/gpucheck.md) and what the
// prolog makes of it: run the job, or drain this node with a precise reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ks::spank {

struct CheckResult {
    std::string check;
    std::string status;  // pass|fail|skip|error|timeout
    std::optional<double> value;
    std::optional<double> threshold;
    std::string unit;
    std::string comparison;  // how value must relate to threshold: >=, <=, >, <, ==
    std::string detail;
    bool blame_peers = false;  // the fault lies with other nodes, never with this one
    std::vector<std::string> peers;
};

struct Report {
    std::string node;
    std::string level;
    std::string status;  // this node's verdict
    double duration_s = 0;
    std::vector<CheckResult> results;
    std::vector<std::string> culprits;
};

// Parses the one JSON document the checker writes to stdout; rejects other schemas.
Result<Report> parse_report(std::string_view json);

// What the checker process did, as seen by the prolog.
struct CheckerRun {
    bool started = false;      // false: it could not be executed at all
    bool timed_out = false;    // killed at the prolog's deadline
    int exit_code = -1;        // -1 when it died from a signal
    int signal = 0;
    std::string stdout_text;
    std::string failure;       // why it could not be started
};

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
Decision decide(const CheckerRun& run, OnError on_error, long timeout_s);

// Reason strings written into `scontrol show node`.
std::string fail_reason(const CheckResult& result);
std::string timeout_reason(std::string_view check, double seconds);

}  // namespace ks::spank
