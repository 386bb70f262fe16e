// The checker's report: this node's results, its verdict, the culprits named by its multi-node
// checks, the exit code, and renderings (JSON for the prolog gate, a table for people).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "health/check_result.h"
#include "health/level.h"

namespace ks::health {

inline constexpr const char* kReportSchema = "kubeslurm.gpucheck/v1";

// Exit codes of kubeslurm-gpucheck (documented in docs/gpucheck.md).
inline constexpr int kExitPass = 0;     // pass, skips included
inline constexpr int kExitFail = 1;     // a check of this node failed
inline constexpr int kExitTimeout = 2;  // a check of this node hit its deadline
inline constexpr int kExitError = 3;    // the checker could not run a check
inline constexpr int kExitUsage = 64;   // bad command line or configuration

struct Report {
    std::string node;
    std::optional<long> job_id;
    Level level = Level::Quick;
    double duration_s = 0;
    std::vector<CheckResult> results;
};

// This node's verdict: the worst status among results blamed on this node (fail > timeout >
// error > pass); skips count as pass. Results blamed on peers never change it.
Status verdict(const std::vector<CheckResult>& results);
// The first self-blamed result carrying the verdict (nullptr when the verdict is pass).
const CheckResult* deciding_result(const std::vector<CheckResult>& results);
// Other nodes named by results blamed on peers (failed ones only), sorted, unique, without self.
std::vector<std::string> culprits(const std::vector<CheckResult>& results, const std::string& self);
int exit_code(Status verdict);

// "kubeslurm: host.membw: 0.8 < 1 GB/s" / "kubeslurm: gpu.nccl: timeout after 12 s".
std::string drain_reason(const CheckResult& r);
std::string format_number(double v);

nlohmann::ordered_json report_json(const Report& report);
std::string report_text(const Report& report);  // JSON, one document, newline-terminated
std::string render_table(const Report& report);

}  // namespace ks::health
