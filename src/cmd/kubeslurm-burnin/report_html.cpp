#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "report.h"
#include "report_text.h"

namespace ks::burnin {

using namespace text;

namespace {

// One scatter plot: x = points in node order, y = value; threshold as a dashed line (or a tick
// per point when thresholds differ), fleet median dotted, outliers in red.
std::string svg_plot(const Series& s) {
    const double W = 760, H = 220, L = 60, R = 10, T = 10, B = 30;
    double lo = s.points.front().value, hi = lo;
    for (const auto& p : s.points) {
        lo = std::min(lo, p.value);
        hi = std::max(hi, p.value);
        if (p.threshold) {
            lo = std::min(lo, *p.threshold);
            hi = std::max(hi, *p.threshold);
        }
    }
    if (hi == lo) {
        hi += std::max(1.0, std::fabs(hi) * 0.1);
        lo -= std::max(1.0, std::fabs(lo) * 0.1);
    }
    const double pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    auto y = [&](double v) { return T + (H - T - B) * (1 - (v - lo) / (hi - lo)); };
    const size_t n = s.points.size();
    auto x = [&](size_t i) { return L + (W - L - R) * (n == 1 ? 0.5 : static_cast<double>(i) / (n - 1)); };
    char buf[512];
    std::ostringstream o;
    o << "<svg class=\"plot\" viewBox=\"0 0 " << W << " " << H << "\" role=\"img\" aria-label=\"" << html(s.check)
      << "\">\n";
    o << "<rect x=\"" << L << "\" y=\"" << T << "\" width=\"" << W - L - R << "\" height=\"" << H - T - B
      << "\" class=\"frame\"/>\n";
    for (double v : {lo + pad, (lo + hi) / 2, hi - pad}) {
        std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">%s</text>\n", L - 6,
                      y(v) + 4, num(v).c_str());
        o << buf;
    }
    bool same_threshold = true;
    for (const auto& p : s.points)
        if (p.threshold != s.points.front().threshold) same_threshold = false;
    if (same_threshold && s.points.front().threshold) {
        double ty = y(*s.points.front().threshold);
        std::snprintf(buf, sizeof buf,
                      "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"threshold\"/>"
                      "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"end\">threshold %s %s</text>\n",
                      L, W - R, ty, ty, W - R - 4, ty - 4, html(s.comparison).c_str(),
                      num(*s.points.front().threshold).c_str());
        o << buf;
    } else {
        for (size_t i = 0; i < n; ++i)
            if (s.points[i].threshold) {
                std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"threshold\"/>\n",
                              x(i) - 5, x(i) + 5, y(*s.points[i].threshold), y(*s.points[i].threshold));
                o << buf;
            }
    }
    std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" class=\"median\"/>\n", L, W - R,
                  y(s.median), y(s.median));
    o << buf;
    for (size_t i = 0; i < n; ++i) {
        const Point& p = s.points[i];
        std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" class=\"%s\">", x(i), y(p.value),
                      p.outlier ? 5 : 3, p.outlier ? "outlier" : "point");
        o << buf << "<title>" << html(point_label(p)) << ": " << num(p.value) << " " << html(s.unit) << " ("
          << health::status_name(p.status) << ")</title></circle>\n";
        if (p.outlier) {
            std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" class=\"label\">", x(i) + 7, y(p.value) + 4);
            o << buf << html(point_label(p)) << "</text>\n";
        }
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" class=\"axis\" text-anchor=\"middle\">", (L + W - R) / 2,
                  H - 8);
    o << buf << n << " figures, node order; dotted: fleet median " << num(s.median) << " " << html(s.unit)
      << "</text>\n</svg>\n";
    return o.str();
}

const char* kCss = R"(body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.pass{color:#1a7f37}.fail,.error,.timeout{color:#c62828;font-weight:bold}.skip{color:#777}
.plot{width:100%;max-width:760px;height:auto;display:block}.frame{fill:#fafafa;stroke:#bbb}
.axis{font-size:11px;fill:#555}.label{font-size:11px;fill:#c62828}.point{fill:#1f6feb}
.outlier{fill:#c62828;stroke:#fff;stroke-width:1}.threshold{stroke:#c62828;stroke-dasharray:6 4;stroke-width:1.5}
.median{stroke:#555;stroke-dasharray:2 3})";

std::string status_cell(const std::string& s) { return "<td class=\"" + html(s) + "\">" + html(s) + "</td>"; }

}  // namespace

std::string render_html(const SweepResult& sw) {
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>kubeslurm burn-in " << html(sw.id)
      << "</title>\n<style>" << kCss << "</style></head><body>\n";
    h << "<h1>kubeslurm burn-in report " << html(sw.id) << "</h1>\n<p>Started " << html(sw.started) << ", finished "
      << html(sw.finished) << " (" << duration_text(sw.wall_s) << "); level <code>" << html(sw.level) << "</code>, "
      << duration_text(sw.duration_s) << " per node; " << sw.nodes.size() << " nodes: " << html(verdict_counts(sw.nodes))
      << ".</p>\n";

    h << "<h2>Nodes</h2>\n<table><tr><th>node</th><th>verdict</th><th>duration</th><th>failing checks</th><th>reason</th></tr>\n";
    for (const auto& n : sw.nodes)
        h << "<tr><td>" << html(n.node) << "</td>" << status_cell(n.status) << "<td>" << duration_text(n.duration_s)
          << "</td><td>" << html(failing_checks(n)) << "</td><td>" << html(n.reason) << "</td></tr>\n";
    for (const auto& [node, why] : sw.not_run)
        h << "<tr><td>" << html(node) << "</td><td class=\"skip\">not run</td><td>-</td><td>-</td><td>" << html(why)
          << "</td></tr>\n";
    h << "</table>\n";

    if (!sw.groups.empty()) {
        h << "<h2>Multi-node NCCL</h2>\n<table><tr><th>group</th><th>nodes</th><th>verdict</th><th>bus bandwidth</th>"
             "<th>detail</th></tr>\n";
        for (const auto& g : sw.groups)
            h << "<tr><td>" << html(g.kind + " " + g.name) << "</td><td>" << g.nodes.size() << "</td>" << status_cell(g.status)
              << "<td>" << html(group_figure(g)) << "</td><td>" << html(group_detail(g)) << "</td></tr>\n";
        h << "</table>\n";
    }

    auto series = collect_series(sw.nodes, sw.tolerance);
    if (!series.empty()) {
        h << "<h2>Figures</h2>\n<p>Red: outliers (failed, or more than " << num(sw.tolerance * 100)
          << "% off the fleet median on the bad side). Dashed red: threshold.</p>\n";
        for (const auto& s : series) {
            h << "<h3>" << html(s.check) << (s.unit.empty() ? "" : " (" + html(s.unit) + ")") << " &mdash; "
              << s.outliers() << " outlier" << (s.outliers() == 1 ? "" : "s") << "</h3>\n"
              << svg_plot(s);
        }
    }

    h << "<h2>Repeat offenders</h2>\n";
    if (sw.lemons.empty()) {
        h << "<p>" << no_lemons(sw) << "</p>\n";
    } else {
        h << "<table><tr><th>node</th><th>failed sweeps</th><th>sweeps</th><th>last failure</th><th>failing checks</th></tr>\n";
        for (const auto& [node, r] : sw.lemons)
            h << "<tr><td>" << html(node) << "</td><td class=\"fail\">" << r.failures << "</td><td>" << r.sweeps
              << "</td><td>" << html(r.last_failure) << "</td><td>" << html(check_counts(r)) << "</td></tr>\n";
        h << "</table>\n";
    }
    if (!sw.drained.empty()) {
        h << "<h2>Drained</h2>\n<table><tr><th>node</th><th>reason</th></tr>\n";
        for (const auto& [node, reason] : sw.drained)
            h << "<tr><td>" << html(node) << "</td><td>" << html(reason) << "</td></tr>\n";
        h << "</table>\n";
    }
    h << "</body></html>\n";
    return h.str();
}

}  // namespace ks::burnin
