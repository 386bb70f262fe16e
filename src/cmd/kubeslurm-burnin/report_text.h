// Pieces of text the report renderings share: numbers, durations, what failed on a node or in a
// group, and table-cell and HTML escaping.
#pragma once

#include <string>

#include "fleet_stats.h"
#include "sweep_result.h"

namespace ks::burnin::text {

std::string num(double v);
std::string duration_text(double s);
std::string failing_checks(const NodeOutcome& o);
std::string point_label(const Point& p);
std::string group_figure(const GroupOutcome& g);
std::string group_detail(const GroupOutcome& g);
// "gpu.hbm_bandwidth[3] x2, gpu.xid[3] x1"
std::string check_counts(const NodeRecord& r);
std::string no_lemons(const SweepResult& sw);
// Markdown table cells must not break the table.
std::string cell(std::string s);
std::string html(const std::string& s);

}  // namespace ks::burnin::text
