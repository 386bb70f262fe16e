#include "report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace ks::burnin {

namespace {

std::string num(double v) {
    char buf[64];
    if (std::fabs(v) >= 100 || v == std::floor(v)) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string duration_text(double s) {
    char buf[64];
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
    else if (s >= 120) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
    else std::snprintf(buf, sizeof buf, "%.1f s", s);
    return buf;
}

bool bad(const std::string& status) { return status == "fail" || status == "error" || status == "timeout"; }

std::string failing_checks(const NodeOutcome& o) {
    std::string out;
    for (const auto& f : o.results)
        if (bad(f.status) && !f.blame_peers) out += (out.empty() ? "" : ", ") + f.label();
    if (out.empty() && !o.problem.empty()) out = o.problem;
    return out;
}

double median_of(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Markdown table cells must not break the table.
std::string cell(std::string s) {
    for (auto& c : s)
        if (c == '|' || c == '\n') c = c == '|' ? '/' : ' ';
    return s.empty() ? "-" : s;
}

std::string html(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string point_label(const Point& p) {
    return p.device >= 0 ? p.node + " GPU " + std::to_string(p.device) : p.node;
}

std::string group_figure(const GroupOutcome& g) {
    for (const auto& r : g.reports)
        for (const auto& f : r.results)
            if (f.check == "gpu.nccl_multinode" && f.value) return num(*f.value) + " " + f.unit;
    for (const auto& r : g.reports)
        for (const auto& f : r.results)
            if (f.check == "hostnet.bandwidth" && f.value) return num(*f.value) + " " + f.unit + " (host network)";
    return "-";
}

std::string group_detail(const GroupOutcome& g) {
    if (!g.problem.empty()) return g.problem;
    std::string out;
    for (const auto& r : g.reports)
        for (const auto& f : r.results)
            if (bad(f.status) && out.find(f.check) == std::string::npos)
                out += (out.empty() ? "" : "; ") + r.node + ": " + f.check + (f.detail.empty() ? "" : " " + f.detail);
    return out;
}

// "gpu.hbm_bandwidth[3] x2, gpu.xid[3] x1"
std::string check_counts(const NodeRecord& r) {
    std::string out;
    for (const auto& [c, k] : r.checks) out += (out.empty() ? "" : ", ") + c + " x" + std::to_string(k);
    return out;
}

std::string no_lemons(const SweepResult& sw) {
    return "No node failed " + std::to_string(sw.lemon_min_failures) + " or more sweeps in the history.";
}

}  // namespace

size_t Series::outliers() const {
    return static_cast<size_t>(std::count_if(points.begin(), points.end(), [](const Point& p) { return p.outlier; }));
}

std::vector<Series> collect_series(const std::vector<NodeOutcome>& nodes, double tolerance) {
    std::map<std::string, Series> by_check;
    for (const auto& n : nodes)
        for (const auto& f : n.results) {
            if (!f.value || f.blame_peers) continue;
            if (f.status == "skip" || f.status == "timeout") continue;
            Series& s = by_check[f.check];
            s.check = f.check;
            if (s.unit.empty()) s.unit = f.unit;
            if (s.comparison.empty()) s.comparison = f.comparison;
            s.points.push_back({n.node, f.device, *f.value, f.threshold, f.status, false});
        }
    std::vector<Series> out;
    for (auto& [name, s] : by_check) {
        std::vector<double> values;
        for (const auto& p : s.points) values.push_back(p.value);
        s.median = median_of(values);
        const double lo = s.median * (1 - tolerance), hi = s.median * (1 + tolerance);
        for (auto& p : s.points) {
            bool low = p.value < lo, high = p.value > hi;
            bool off = s.comparison == ">=" ? low : s.comparison == "<=" ? high : (low || high);
            // Counters (median 0) are judged by their thresholds only.
            p.outlier = bad(p.status) || (s.median != 0 && off);
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string verdict_counts(const std::vector<NodeOutcome>& nodes) {
    std::map<std::string, int> counts;
    for (const auto& n : nodes) ++counts[n.status];
    std::string out;
    for (const char* s : {"pass", "fail", "timeout", "error", "skip"})
        if (counts[s]) out += (out.empty() ? "" : ", ") + std::to_string(counts[s]) + " " + s;
    return out.empty() ? "no nodes" : out;
}

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
                   << p.status << " |\n";
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
          << html(p.status) << ")</title></circle>\n";
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

namespace {

nlohmann::json outcome_json(const NodeOutcome& n) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& f : n.results) {
        nlohmann::json r = {{"check", f.check}, {"status", f.status}};
        if (f.device >= 0) r["device"] = f.device;
        if (f.value) r["value"] = *f.value;
        if (f.threshold) r["threshold"] = *f.threshold;
        if (!f.unit.empty()) r["unit"] = f.unit;
        if (!f.comparison.empty()) r["comparison"] = f.comparison;
        if (!f.detail.empty()) r["detail"] = f.detail;
        if (f.blame_peers) r["blame"] = "peers";
        results.push_back(r);
    }
    return {{"node", n.node},       {"status", n.status}, {"duration_s", n.duration_s}, {"reason", n.reason},
            {"problem", n.problem}, {"exit_code", n.exit_code}, {"results", results}, {"culprits", n.culprits}};
}

}  // namespace

std::string render_json(const SweepResult& sw) {
    nlohmann::json j;
    j["schema"] = "kubeslurm.burnin/v1";
    j["sweep"] = sw.id;
    j["started"] = sw.started;
    j["finished"] = sw.finished;
    j["level"] = sw.level;
    j["duration_s"] = sw.duration_s;
    j["nodes"] = nlohmann::json::array();
    for (const auto& n : sw.nodes) j["nodes"].push_back(outcome_json(n));
    j["not_run"] = nlohmann::json::array();
    for (const auto& [node, why] : sw.not_run) j["not_run"].push_back({{"node", node}, {"why", why}});
    j["groups"] = nlohmann::json::array();
    for (const auto& g : sw.groups) {
        nlohmann::json reports = nlohmann::json::array();
        for (const auto& r : g.reports) reports.push_back(outcome_json(r));
        j["groups"].push_back({{"kind", g.kind}, {"name", g.name}, {"nodes", g.nodes}, {"status", g.status},
                               {"problem", g.problem}, {"reports", reports}});
    }
    j["drained"] = nlohmann::json::array();
    for (const auto& [node, reason] : sw.drained) j["drained"].push_back({{"node", node}, {"reason", reason}});
    j["lemons"] = nlohmann::json::array();
    for (const auto& [node, r] : sw.lemons)
        j["lemons"].push_back({{"node", node}, {"failures", r.failures}, {"sweeps", r.sweeps}, {"checks", r.checks}});
    return j.dump(2) + "\n";
}

}  // namespace ks::burnin
