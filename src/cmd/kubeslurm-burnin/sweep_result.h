// What a sweep produced: one outcome per node, the multi-node groups, drains and the history
// summary. Filled by sweep.cpp, rendered by report.cpp.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "history.h"
#include "node_report.h"

namespace ks::burnin {

// Multi-node NCCL run over one NVLink domain or one leaf switch.
struct GroupOutcome {
    std::string kind;                 // "NVLink domain" / "leaf switch"
    std::string name;
    std::vector<std::string> nodes;
    std::vector<NodeOutcome> reports; // one per node that reported
    std::string status = "error";     // worst of the reports; "error" without any
    std::string problem;
};

struct SweepResult {
    std::string id;          // e.g. 20261122T140501Z
    std::string started;     // ISO 8601 UTC
    std::string finished;
    double wall_s = 0;
    std::string level;
    double duration_s = 0;   // per-node burn-in duration asked for
    std::vector<NodeOutcome> nodes;
    std::vector<GroupOutcome> groups;
    std::vector<std::pair<std::string, std::string>> not_run;  // node, why (state, no such node)
    std::vector<std::pair<std::string, std::string>> drained;  // node, reason
    std::vector<std::pair<std::string, NodeRecord>> lemons;
    int lemon_min_failures = 2;
    double tolerance = 0.05; // outlier tolerance against the fleet median
};

}  // namespace ks::burnin
