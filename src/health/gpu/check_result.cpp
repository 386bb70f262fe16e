#include "health/gpu/check_result.h"

#include <algorithm>
#include <cstdio>

namespace ks::gpu {

const char* status_name(Status s) {
    switch (s) {
        case Status::Pass: return "pass";
        case Status::Fail: return "fail";
        case Status::Skip: return "skip";
        case Status::Error: return "error";
        case Status::Timeout: return "timeout";
    }
    return "error";
}

const char* comparison_text(Comparison c) { return c == Comparison::AtLeast ? ">=" : "<="; }

nlohmann::json CheckResult::to_json() const {
    nlohmann::json j = extra.is_object() ? extra : nlohmann::json::object();
    j["check"] = check;
    j["status"] = status_name(status);
    if (value) j["value"] = *value;
    if (threshold) {
        j["threshold"] = *threshold;
        j["comparison"] = comparison_text(comparison);
    }
    if (!unit.empty()) j["unit"] = unit;
    if (!detail.empty()) j["detail"] = detail;
    if (device >= 0) j["device"] = device;
    if (blame_peers) j["blame"] = "peers";
    return j;
}

CheckResult skip(std::string check, std::string reason) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Skip;
    r.detail = std::move(reason);
    return r;
}

CheckResult error(std::string check, std::string reason, int device) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Error;
    r.detail = std::move(reason);
    r.device = device;
    return r;
}

CheckResult timeout(std::string check, double after_s, int device) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Timeout;
    r.value = after_s;
    r.unit = "s";
    char buf[64];
    std::snprintf(buf, sizeof buf, "timeout after %.0f s", after_s);
    r.detail = buf;
    r.device = device;
    return r;
}

bool within(double value, double threshold, Comparison c) {
    return c == Comparison::AtLeast ? value >= threshold : value <= threshold;
}

CheckResult judge(std::string check, double value, double threshold, std::string unit,
                  Comparison c, int device) {
    CheckResult r;
    r.check = std::move(check);
    r.value = value;
    r.threshold = threshold;
    r.unit = std::move(unit);
    r.comparison = c;
    r.device = device;
    r.status = within(value, threshold, c) ? Status::Pass : Status::Fail;
    return r;
}

static int severity(Status s) {
    switch (s) {
        case Status::Skip: return 0;
        case Status::Pass: return 1;
        case Status::Fail: return 2;
        case Status::Error: return 3;
        case Status::Timeout: return 4;
    }
    return 3;
}

Status worst(const std::vector<CheckResult>& results) {
    Status w = Status::Skip;
    for (const auto& r : results)
        if (severity(r.status) > severity(w)) w = r.status;
    return w;
}

nlohmann::json to_json(const std::vector<CheckResult>& results) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : results) a.push_back(r.to_json());
    return a;
}

}  // namespace ks::gpu
