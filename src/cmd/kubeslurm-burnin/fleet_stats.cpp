#include "fleet_stats.h"

#include <algorithm>
#include <map>

namespace ks::burnin {

namespace {

double median_of(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

}  // namespace

bool bad(health::Status s) {
    return s == health::Status::Fail || s == health::Status::Error || s == health::Status::Timeout;
}

size_t Series::outliers() const {
    return static_cast<size_t>(std::count_if(points.begin(), points.end(), [](const Point& p) { return p.outlier; }));
}

std::vector<Series> collect_series(const std::vector<NodeOutcome>& nodes, double tolerance) {
    std::map<std::string, Series> by_check;
    for (const auto& n : nodes)
        for (const auto& f : n.results) {
            if (!f.value || f.blame == health::Blame::Peers) continue;
            if (f.status == health::Status::Skip || f.status == health::Status::Timeout) continue;
            Series& s = by_check[f.check];
            s.check = f.check;
            if (s.unit.empty()) s.unit = f.unit;
            if (s.comparison.empty()) s.comparison = f.comparison;
            s.points.push_back({n.node, f.device.value_or(-1), *f.value, f.threshold, f.status, false});
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

}  // namespace ks::burnin
