// Burn-in statistics over the fleet: every node's figures of one check as a series, its median
// and its outliers, and the count of node verdicts. The renderings (report.h) only draw them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "health/check_result.h"
#include "node_report.h"

namespace ks::burnin {

struct Point {
    std::string node;
    int device = -1;
    double value = 0;
    std::optional<double> threshold;
    health::Status status = health::Status::Pass;
    bool outlier = false;
};

// All figures of one check across the fleet.
struct Series {
    std::string check;
    std::string unit;
    std::string comparison;  // ">=" higher is better, "<=" lower is better, "" unknown
    std::vector<Point> points;
    double median = 0;
    size_t outliers() const;
};

// A status that is a problem: fail, error or timeout.
bool bad(health::Status s);

// Groups numeric per-node results by check. A point is an outlier when it failed, or when it is
// more than `tolerance` off the fleet median in the bad direction (either direction when the
// check has no comparison).
std::vector<Series> collect_series(const std::vector<NodeOutcome>& nodes, double tolerance);

// Counts of node verdicts: "3 pass, 1 fail".
std::string verdict_counts(const std::vector<NodeOutcome>& nodes);

}  // namespace ks::burnin
