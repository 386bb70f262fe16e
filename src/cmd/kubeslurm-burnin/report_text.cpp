#include "report_text.h"

#include <cmath>
#include <cstdio>

namespace ks::burnin::text {

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

std::string failing_checks(const NodeOutcome& o) {
    std::string out;
    for (const auto& f : o.results)
        if (fails_node(f)) out += (out.empty() ? "" : ", ") + result_label(f);
    if (out.empty() && !o.problem.empty()) out = o.problem;
    return out;
}

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

std::string check_counts(const NodeRecord& r) {
    std::string out;
    for (const auto& [c, k] : r.checks) out += (out.empty() ? "" : ", ") + c + " x" + std::to_string(k);
    return out;
}

std::string no_lemons(const SweepResult& sw) {
    return "No node failed " + std::to_string(sw.lemon_min_failures) + " or more sweeps in the history.";
}

}  // namespace ks::burnin::text
