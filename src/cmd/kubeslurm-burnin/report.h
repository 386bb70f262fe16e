// The sweep report: Markdown for tickets and terminals, and one self-contained HTML page (inline
// CSS and SVG, no scripts or external files) with every node's figures plotted against the
// thresholds and the outliers marked.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sweep_result.h"

namespace ks::burnin {

struct Point {
    std::string node;
    int device = -1;
    double value = 0;
    std::optional<double> threshold;
    std::string status;
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

// Groups numeric per-node results by check. A point is an outlier when it failed, or when it is
// more than `tolerance` off the fleet median in the bad direction (either direction when the
// check has no comparison).
std::vector<Series> collect_series(const std::vector<NodeOutcome>& nodes, double tolerance);

std::string render_markdown(const SweepResult& sweep);
std::string render_html(const SweepResult& sweep);
// Machine-readable sweep summary (sweep.json): every node's verdict and figures, the groups.
std::string render_json(const SweepResult& sweep);

// Counts of node verdicts: "3 pass, 1 fail".
std::string verdict_counts(const std::vector<NodeOutcome>& nodes);

}  // namespace ks::burnin
