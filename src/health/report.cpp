#include "health/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

namespace ks::health {

Status verdict(const std::vector<CheckResult>& results) {
    Status worst = Status::Pass;
    for (const auto& r : results) {
        if (r.blame != Blame::Self) continue;
        Status s = r.status == Status::Skip ? Status::Pass : r.status;
        worst = std::max(worst, s);
    }
    return worst;
}

const CheckResult* deciding_result(const std::vector<CheckResult>& results) {
    Status v = verdict(results);
    if (v == Status::Pass) return nullptr;
    for (const auto& r : results)
        if (r.blame == Blame::Self && r.status == v) return &r;
    return nullptr;
}

std::vector<std::string> culprits(const std::vector<CheckResult>& results, const std::string& self) {
    std::set<std::string> names;
    for (const auto& r : results) {
        if (r.blame != Blame::Peers || r.status == Status::Pass || r.status == Status::Skip) continue;
        for (const auto& p : r.peers)
            if (p != self) names.insert(p);
    }
    return {names.begin(), names.end()};
}

int exit_code(Status v) {
    switch (v) {
        case Status::Pass:
        case Status::Skip: return kExitPass;
        case Status::Fail: return kExitFail;
        case Status::Timeout: return kExitTimeout;
        case Status::Error: return kExitError;
    }
    return kExitError;
}

std::string format_number(double v) {
    char buf[64];
    double a = std::fabs(v);
    if (v == std::floor(v) && a < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a >= 1000) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (a >= 100) std::snprintf(buf, sizeof buf, "%.1f", v);
    else if (a >= 1) std::snprintf(buf, sizeof buf, "%.2f", v);
    else std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string drain_reason(const CheckResult& r) {
    std::string out = "kubeslurm: " + r.check + ": ";
    if (r.status == Status::Timeout && r.threshold) return out + "timeout after " + format_number(*r.threshold) + " s";
    if (r.value && r.threshold) {
        out += format_number(*r.value) + " " + std::string(violated(r.comparison)) + " " + format_number(*r.threshold);
        if (!r.unit.empty()) out += " " + r.unit;
        return out;
    }
    return out + (r.detail.empty() ? std::string(status_name(r.status)) : r.detail);
}

nlohmann::ordered_json report_json(const Report& report) {
    nlohmann::ordered_json j;
    j["schema"] = kReportSchema;
    j["node"] = report.node;
    j["job_id"] = report.job_id ? nlohmann::ordered_json(*report.job_id) : nlohmann::ordered_json(nullptr);
    j["level"] = level_name(report.level);
    Status v = verdict(report.results);
    j["status"] = status_name(v);
    j["duration_s"] = std::round(report.duration_s * 1000) / 1000;
    const CheckResult* decider = deciding_result(report.results);
    j["reason"] = decider ? drain_reason(*decider) : "";
    j["results"] = nlohmann::ordered_json::array();
    for (const auto& r : report.results) j["results"].push_back(to_json(r));
    j["culprits"] = culprits(report.results, report.node);
    return j;
}

std::string report_text(const Report& report) { return report_json(report).dump() + "\n"; }

std::string render_table(const Report& report) {
    struct Row { std::string check, status, value, threshold, unit, detail; };
    std::vector<Row> rows{{"CHECK", "STATUS", "VALUE", "THRESHOLD", "UNIT", "DETAIL"}};
    for (const auto& r : report.results) {
        Row row{r.check, std::string(status_name(r.status)), r.value ? format_number(*r.value) : "-",
                r.threshold ? r.comparison + " " + format_number(*r.threshold) : "-", r.unit.empty() ? "-" : r.unit,
                r.detail};
        if (r.device) row.check += "[" + std::to_string(*r.device) + "]";
        if (r.blame == Blame::Peers && !r.peers.empty()) {
            std::string names;
            for (const auto& p : r.peers) names += (names.empty() ? "" : ",") + p;
            row.detail = "blames " + names + (row.detail.empty() ? "" : ": " + row.detail);
        }
        rows.push_back(std::move(row));
    }
    size_t w[5] = {0, 0, 0, 0, 0};
    for (const auto& r : rows) {
        w[0] = std::max(w[0], r.check.size());
        w[1] = std::max(w[1], r.status.size());
        w[2] = std::max(w[2], r.value.size());
        w[3] = std::max(w[3], r.threshold.size());
        w[4] = std::max(w[4], r.unit.size());
    }
    const auto pad = [](const std::string& s, size_t n, bool right) {
        std::string fill(n > s.size() ? n - s.size() : 0, ' ');
        return right ? fill + s : s + fill;
    };
    std::string out = "node " + (report.node.empty() ? std::string("?") : report.node);
    if (report.job_id) out += "  job " + std::to_string(*report.job_id);
    out += "  level " + std::string(level_name(report.level)) + "  " + format_number(report.duration_s) + " s\n";
    for (const auto& r : rows) {
        std::string line = pad(r.check, w[0], false) + "  " + pad(r.status, w[1], false) + "  " +
                           pad(r.value, w[2], true) + "  " + pad(r.threshold, w[3], true) + "  " +
                           pad(r.unit, w[4], false) + "  " + r.detail;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    Status v = verdict(report.results);
    out += "verdict: " + std::string(status_name(v));
    if (const CheckResult* d = deciding_result(report.results)) out += " (" + drain_reason(*d) + ")";
    auto names = culprits(report.results, report.node);
    if (!names.empty()) {
        out += "; other nodes at fault:";
        for (const auto& n : names) out += " " + n;
    }
    return out + "\n";
}

}  // namespace ks::health
