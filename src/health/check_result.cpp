#include "health/check_result.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace ks::health {

std::string_view status_name(Status s) {
    switch (s) {
        case Status::Pass: return "pass";
        case Status::Skip: return "skip";
        case Status::Error: return "error";
        case Status::Timeout: return "timeout";
        case Status::Fail: return "fail";
    }
    return "error";
}

std::optional<Status> parse_status(std::string_view text) {
    for (Status s : {Status::Pass, Status::Skip, Status::Error, Status::Timeout, Status::Fail})
        if (status_name(s) == text) return s;
    return std::nullopt;
}

Status compare(double value, std::string_view comparison, double threshold) {
    bool ok = false;
    if (comparison == ">=") ok = value >= threshold;
    else if (comparison == "<=") ok = value <= threshold;
    else if (comparison == "==") ok = value == threshold;
    else if (comparison == ">") ok = value > threshold;
    else if (comparison == "<") ok = value < threshold;
    else return Status::Error;
    return ok ? Status::Pass : Status::Fail;
}

std::string_view violated(std::string_view comparison) {
    if (comparison == ">=") return "<";
    if (comparison == "<=") return ">";
    if (comparison == ">") return "<=";
    if (comparison == "<") return ">=";
    if (comparison == "==") return "!=";
    return "vs";
}

CheckResult measured(std::string check, double value, std::string_view comparison, double threshold,
                     std::string unit, std::string detail, std::optional<int> device) {
    CheckResult r;
    r.check = std::move(check);
    r.value = value;
    r.threshold = threshold;
    r.comparison = std::string(comparison);
    r.unit = std::move(unit);
    r.status = compare(value, comparison, threshold);
    r.detail = std::move(detail);
    r.device = device;
    if (r.status == Status::Error) r.detail = "unknown comparison '" + r.comparison + "'";
    return r;
}

CheckResult skipped(std::string check, std::string reason) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Skip;
    r.detail = std::move(reason);
    return r;
}

CheckResult errored(std::string check, std::string reason, std::optional<int> device) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Error;
    r.detail = std::move(reason);
    r.device = device;
    return r;
}

CheckResult timed_out(std::string check, double deadline_s) {
    CheckResult r;
    r.check = std::move(check);
    r.status = Status::Timeout;
    r.value = deadline_s;
    r.threshold = deadline_s;
    r.unit = "s";
    r.comparison = "<=";
    r.detail = "no result within the deadline; the check was abandoned";
    return r;
}

CheckResult gave_up(std::string check, double after_s, std::optional<int> device) {
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

CheckResult blamed_on_peers(std::string check, Status status, std::vector<std::string> peers,
                            std::string detail) {
    CheckResult r;
    r.check = std::move(check);
    r.status = status;
    r.blame = Blame::Peers;
    r.peers = std::move(peers);
    r.detail = std::move(detail);
    return r;
}

nlohmann::ordered_json to_json(const CheckResult& r) {
    nlohmann::ordered_json j;
    j["check"] = r.check;
    j["status"] = status_name(r.status);
    j["value"] = r.value ? nlohmann::ordered_json(*r.value) : nlohmann::ordered_json(nullptr);
    j["threshold"] = r.threshold ? nlohmann::ordered_json(*r.threshold) : nlohmann::ordered_json(nullptr);
    j["unit"] = r.unit;
    j["comparison"] = r.comparison;
    j["detail"] = r.detail;
    j["blame"] = r.blame == Blame::Self ? "self" : "peers";
    j["peers"] = r.peers;
    if (r.device) j["device"] = *r.device;
    return j;
}

nlohmann::json to_backend_json(const CheckResult& r) {
    nlohmann::json j = r.extra.is_object() ? r.extra : nlohmann::json::object();
    j["check"] = r.check;
    j["status"] = status_name(r.status);
    if (r.value) j["value"] = *r.value;
    if (r.threshold) {
        j["threshold"] = *r.threshold;
        j["comparison"] = r.comparison;
    }
    if (!r.unit.empty()) j["unit"] = r.unit;
    if (!r.detail.empty()) j["detail"] = r.detail;
    if (r.device) j["device"] = *r.device;
    if (r.blame == Blame::Peers) j["blame"] = "peers";
    if (!r.peers.empty()) j["peers"] = r.peers;
    return j;
}

nlohmann::json to_backend_array(const std::vector<CheckResult>& results) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& r : results) a.push_back(to_backend_json(r));
    return a;
}

namespace {

constexpr std::string_view kFields[] = {"check", "unit", "comparison", "detail", "status", "value",
                                        "threshold", "blame", "peers", "device"};

std::string string_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number()) return it->get<double>();
    return std::nullopt;
}

}  // namespace

Result<CheckResult> result_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return Error{"result is not a JSON object"};
    CheckResult r;
    r.check = string_field(j, "check");
    if (r.check.empty()) return Error{"result has no \"check\" name"};
    auto status = parse_status(string_field(j, "status"));
    if (!status) return Error{r.check + ": unknown status '" + string_field(j, "status") + "'"};
    r.status = *status;
    r.value = number_field(j, "value");
    r.threshold = number_field(j, "threshold");
    r.unit = string_field(j, "unit");
    r.comparison = string_field(j, "comparison");
    r.detail = string_field(j, "detail");
    r.blame = string_field(j, "blame") == "peers" ? Blame::Peers : Blame::Self;
    if (auto it = j.find("peers"); it != j.end() && it->is_array())
        for (const auto& p : *it)
            if (p.is_string()) r.peers.push_back(p.get<std::string>());
    if (auto it = j.find("device"); it != j.end() && it->is_number_integer()) r.device = it->get<int>();
    for (const auto& [key, value] : j.items())
        if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) r.extra[key] = value;
    return r;
}

}  // namespace ks::health
