// The checker's per-node JSON report (contract: schema kubeslurm.gpucheck/v1) as the sweep reads
// it back from job output, and the outcome of one node's burn-in job.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "health/check_result.h"

namespace ks::burnin {

inline constexpr std::string_view kReportSchema = "kubeslurm.gpucheck/v1";

// "gpu.hbm_bandwidth[3]" for per-GPU results.
std::string result_label(const health::CheckResult& r);

// A result that marks its node bad (fail, error, timeout) when it is not blamed on peers.
bool fails_node(const health::CheckResult& r);

struct NodeOutcome {
    std::string node;
    std::string status = "error";  // the node's verdict; "error" when no report came back
    double duration_s = 0;
    std::string reason;            // drain reason from the report ("kubeslurm: <check>: ...")
    std::vector<health::CheckResult> results;
    std::vector<std::string> culprits;
    std::string problem;           // why there is no report (job failed, output unreadable)
    int exit_code = -1;
};

// Finds the checker's JSON document in job output that may hold a table, log lines or other
// text before and after it. Error when there is none.
Result<nlohmann::json> extract_report(std::string_view output);

// Builds an outcome from a report document; bad field types are an error naming the field.
Result<NodeOutcome> outcome_from_report(const nlohmann::json& report);

// Splits `srun --label` output ("3: text") into the text of each task. srun labels every chunk
// of output, and cuts long lines into several chunks: without `keep_newlines` the chunks are
// joined as they came, which restores single-line JSON documents.
std::map<int, std::string> split_labelled(std::string_view output, bool keep_newlines = true);

}  // namespace ks::burnin
