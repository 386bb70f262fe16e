#include "health/gpu/thresholds.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ks::gpu {

Result<Thresholds> Thresholds::from_json(const nlohmann::json& j) {
    Thresholds t;
    if (j.is_null()) return t;
    if (!j.is_object()) return Error{"thresholds: expected an object of numbers"};
    for (const auto& [k, v] : j.items()) {
        if (!v.is_number())
            return Error{"thresholds: value of '" + k + "' is not a number: " + v.dump()};
        if (!std::isfinite(v.get<double>()))
            return Error{"thresholds: value of '" + k + "' is not finite"};
    }
    t.m_values = j;
    if (auto tol = t.get(key::RelativeTolerance); tol && (*tol <= 0 || *tol >= 1))
        return Error{"thresholds: gpu.relative_tolerance must be in (0, 1), got " +
                     std::to_string(*tol)};
    return t;
}

std::optional<double> Thresholds::get(std::string_view name) const {
    auto it = m_values.find(std::string(name));
    if (it == m_values.end()) return std::nullopt;
    return it->get<double>();
}

double Thresholds::tolerance() const {
    return get(key::RelativeTolerance).value_or(kDefaultRelativeTolerance);
}

double median(std::vector<double> values) {
    if (values.empty()) return 0.0;
    std::sort(values.begin(), values.end());
    size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

static std::string fixed(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

std::vector<CheckResult> judge_devices(std::string_view check, std::string_view unit,
                                       std::string_view cmp, const std::vector<DeviceFigure>& figures,
                                       std::optional<double> absolute, double tolerance) {
    std::vector<double> values;
    for (const auto& f : figures) values.push_back(f.value);
    const double med = median(values);
    const bool relative = figures.size() >= 2;
    const double bound = cmp == ">=" ? med * (1.0 - tolerance) : med * (1.0 + tolerance);

    std::vector<CheckResult> out;
    for (const auto& f : figures) {
        CheckResult r;
        r.check = std::string(check);
        r.unit = std::string(unit);
        r.comparison = std::string(cmp);
        r.device = f.device;
        r.value = f.value;
        r.status = Status::Pass;
        if (absolute) {
            r.threshold = *absolute;
            if (health::compare(f.value, cmp, *absolute) != Status::Pass) r.status = Status::Fail;
        }
        if (r.status == Status::Pass && relative && health::compare(f.value, cmp, bound) != Status::Pass) {
            r.status = Status::Fail;
            r.threshold = bound;
            r.detail = fixed(std::abs(f.value / med - 1.0) * 100.0) + "% off the node's median GPU (" +
                       fixed(med) + " " + std::string(unit) + ")";
        }
        if (!absolute) {
            if (!r.threshold && relative) r.threshold = bound;
            r.extra["relative"] = true;
            if (r.detail.empty())
                r.detail = relative ? "no threshold for this SKU: judged against the node's median GPU ("
                                          + fixed(med) + " " + std::string(unit) + ")"
                                    : "no threshold for this SKU and a single GPU: figure recorded only";
        }
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace ks::gpu
