#include <algorithm>
#include <sstream>

#include "report.h"
#include "report_text.h"

namespace ks::burnin {

using namespace text;

std::string render_markdown(const SweepResult& sw) {
    std::ostringstream md;
    md << "# kubeslurm burn-in report " << sw.id << "\n\n";
    md << "- started " << sw.started << ", finished " << sw.finished << " (" << duration_text(sw.wall_s) << ")\n";
    md << "- level `" << sw.level << "`, " << duration_text(sw.duration_s) << " per node\n";
    md << "- " << sw.nodes.size() << " nodes: " << verdict_counts(sw.nodes) << "\n";
    if (!sw.drained.empty()) md << "- drained: " << sw.drained.size() << "\n";
    md << "\n## Nodes\n\n| node | verdict | duration | failing checks | reason |\n|---|---|---|---|---|\n";
    for (const auto& n : sw.nodes)
        md << "| " << n.node << " | " << n.status << " | " << duration_text(n.duration_s) << " | "
           << cell(failing_checks(n)) << " | " << cell(n.reason) << " |\n";
    for (const auto& [node, why] : sw.not_run) md << "| " << node << " | not run | - | - | " << cell(why) << " |\n";

    if (!sw.groups.empty()) {
        md << "\n## Multi-node NCCL\n\n| group | nodes | verdict | bus bandwidth | detail |\n|---|---|---|---|---|\n";
        for (const auto& g : sw.groups)
            md << "| " << g.kind << " " << cell(g.name) << " | " << g.nodes.size() << " | " << g.status << " | "
               << group_figure(g) << " | " << cell(group_detail(g)) << " |\n";
    }

    auto series = collect_series(sw.nodes, sw.tolerance);
    if (!series.empty()) {
        md << "\n## Figures\n\nOutliers: failed, or more than " << num(sw.tolerance * 100)
           << "% off the fleet median on the bad side.\n\n"
           << "| check | unit | points | min | median | max | outliers |\n|---|---|---|---|---|---|---|\n";
        for (const auto& s : series) {
            auto [mn, mx] = std::minmax_element(s.points.begin(), s.points.end(),
                                                [](const Point& a, const Point& b) { return a.value < b.value; });
            md << "| " << s.check << " | " << cell(s.unit) << " | " << s.points.size() << " | " << num(mn->value)
               << " | " << num(s.median) << " | " << num(mx->value) << " | " << s.outliers() << " |\n";
        }
        bool any = false;
        for (const auto& s : series)
            for (const auto& p : s.points) {
                if (!p.outlier) continue;
                if (!any) md << "\n### Outliers\n\n| check | node | value | threshold | fleet median | status |\n|---|---|---|---|---|---|\n";
                any = true;
                md << "| " << s.check << " | " << point_label(p) << " | " << num(p.value) << " " << s.unit << " | "
                   << (p.threshold ? s.comparison + " " + num(*p.threshold) : "-") << " | " << num(s.median) << " | "
                   << health::status_name(p.status) << " |\n";
            }
    }

    md << "\n## Repeat offenders\n\n";
    if (sw.lemons.empty()) {
        md << no_lemons(sw) << "\n";
    } else {
        md << "| node | failed sweeps | sweeps | last failure | failing checks |\n|---|---|---|---|---|\n";
        for (const auto& [node, r] : sw.lemons)
            md << "| " << node << " | " << r.failures << " | " << r.sweeps << " | " << cell(r.last_failure) << " | "
               << cell(check_counts(r)) << " |\n";
    }
    if (!sw.drained.empty()) {
        md << "\n## Drained\n\n| node | reason |\n|---|---|\n";
        for (const auto& [node, reason] : sw.drained) md << "| " << node << " | " << cell(reason) << " |\n";
    }
    return md.str();
}

}  // namespace ks::burnin
