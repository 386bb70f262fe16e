// Per-node burn-in history, one JSON object per line, appended after every sweep. Nodes that
// failed again and again ("lemon nodes") stand out in the next report.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "node_report.h"

namespace ks::burnin {

struct HistoryEntry {
    std::string time;    // ISO 8601 UTC
    std::string sweep;   // sweep ID
    std::string node;
    std::string status;
    std::vector<std::string> failed;  // labels of the failing results
};

// Appends one line per node (O_APPEND, one write per line, so concurrent sweeps interleave whole
// lines). Creates the file and its directory when missing.
Status append_history(const std::string& path, const std::vector<HistoryEntry>& entries);

// Reads the history; malformed lines are skipped and counted in `bad_lines`. A missing file is
// an empty history.
Result<std::vector<HistoryEntry>> load_history(const std::string& path, int* bad_lines = nullptr);

struct NodeRecord {
    int sweeps = 0;
    int failures = 0;  // fail, error or timeout
    std::string last_failure;  // time of the latest
    std::map<std::string, int> checks;  // failing check label -> count
};

std::map<std::string, NodeRecord> summarize(const std::vector<HistoryEntry>& history);

// Nodes with at least `min_failures` failed sweeps, worst first.
std::vector<std::pair<std::string, NodeRecord>> lemons(const std::map<std::string, NodeRecord>& records,
                                                        int min_failures);

HistoryEntry history_entry(const NodeOutcome& o, const std::string& time, const std::string& sweep);

}  // namespace ks::burnin
