// The sweep report: Markdown for tickets and terminals, one self-contained HTML page (inline CSS
// and SVG, no scripts or external files) with every node's figures plotted against the
// thresholds and the outliers marked, and sweep.json. The figures come from fleet_stats.h.
#pragma once

#include <string>

#include "sweep_result.h"

namespace ks::burnin {

std::string render_markdown(const SweepResult& sweep);
std::string render_html(const SweepResult& sweep);
// Machine-readable sweep summary (sweep.json): every node's verdict and figures, the groups.
std::string render_json(const SweepResult& sweep);

}  // namespace ks::burnin
