#include "spank/core/report.h"

#include <cmath>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

namespace ks::spank {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema = "kubeslurm.gpucheck/v1";
constexpr size_t kMaxReason = 200;  // keep drain reasons readable in sinfo/scontrol

std::string text_of(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_of(const json& obj, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

std::vector<std::string> names_of(const json& obj, const char* key) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

bool known_status(const std::string& s) {
    return s == "pass" || s == "fail" || s == "skip" || s == "error" || s == "timeout";
}

// A figure as people write it: 12.3, 100, 1.5e+09.
std::string figure(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

// The relation that holds when the comparison the check requires does not.
std::string violated(std::string_view comparison) {
    static const std::map<std::string_view, std::string_view> negation = {
        {">=", "<"}, {">", "<="}, {"<=", ">"}, {"<", ">="}, {"==", "!="}, {"!=", "=="}};
    auto it = negation.find(comparison);
    return std::string(it != negation.end() ? it->second : "vs");
}

std::string clip(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() > kMaxReason) s = s.substr(0, kMaxReason - 3) + "...";
    return s;
}

std::string counts(const Report& r) {
    std::map<std::string, int> n;
    for (const auto& res : r.results) ++n[res.status];
    std::string out;
    for (const auto& [status, count] : n) out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + status;
    return out.empty() ? "no checks" : out;
}

const CheckResult* first_own(const Report& r, std::string_view status) {
    for (const auto& res : r.results)
        if (res.status == status && !res.blame_peers) return &res;
    return nullptr;
}

}  // namespace

Result<Report> parse_report(std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return Error{"checker output is not a JSON object"};
    if (text_of(doc, "schema") != kSchema)
        return Error{"checker output has schema '" + text_of(doc, "schema") + "', expected " +
                     std::string(kSchema)};
    Report r;
    r.node = text_of(doc, "node");
    r.level = text_of(doc, "level");
    r.status = text_of(doc, "status");
    if (!known_status(r.status)) return Error{"checker output has an unknown status '" + r.status + "'"};
    r.duration_s = number_of(doc, "duration_s").value_or(0);
    r.culprits = names_of(doc, "culprits");
    if (auto it = doc.find("results"); it != doc.end() && it->is_array()) {
        for (const auto& item : *it) {
            if (!item.is_object()) return Error{"checker output: a result is not an object"};
            CheckResult c;
            c.check = text_of(item, "check");
            c.status = text_of(item, "status");
            if (c.check.empty() || !known_status(c.status))
                return Error{"checker output: a result lacks a check name or a known status"};
            c.value = number_of(item, "value");
            c.threshold = number_of(item, "threshold");
            c.unit = text_of(item, "unit");
            c.comparison = text_of(item, "comparison");
            c.detail = text_of(item, "detail");
            c.blame_peers = text_of(item, "blame") == "peers";
            c.peers = names_of(item, "peers");
            r.results.push_back(std::move(c));
        }
    }
    return r;
}

std::optional<OnError> parse_on_error(std::string_view text) {
    if (text == "run") return OnError::Run;
    if (text == "drain") return OnError::Drain;
    if (text == "fail") return OnError::Fail;
    return std::nullopt;
}

std::string fail_reason(const CheckResult& r) {
    std::string out = "kubeslurm: " + r.check + ": ";
    if (r.value && r.threshold) {
        out += figure(*r.value) + " " + violated(r.comparison) + " " + figure(*r.threshold);
        if (!r.unit.empty()) out += " " + r.unit;
    } else {
        out += r.detail.empty() ? std::string("failed") : r.detail;
    }
    return clip(out);
}

std::string timeout_reason(std::string_view check, double seconds) {
    return clip("kubeslurm: " + std::string(check) + ": timeout after " + figure(std::round(seconds)) + " s");
}

Decision decide(const CheckerRun& run, OnError on_error, long timeout_s) {
    Decision d;
    const auto checker_error = [&](const std::string& why) {
        d.result = "error";
        d.summary = "checker error: " + why;
        d.drain = on_error == OnError::Drain;
        d.fail = on_error != OnError::Run;
        if (d.drain) d.reason = clip("kubeslurm: gpucheck: error: " + why);
        return d;
    };

    if (!run.started) return checker_error(run.failure);
    if (run.timed_out) {
        d.result = "timeout";
        d.summary = "checker killed at the " + std::to_string(timeout_s) + " s deadline";
        d.drain = d.fail = true;
        d.reason = timeout_reason("gpucheck", static_cast<double>(timeout_s));
        return d;
    }
    if (run.exit_code == 64) return checker_error("usage or configuration error (exit 64)");

    auto report = parse_report(run.stdout_text);
    if (!report) {
        std::string how = run.exit_code >= 0 ? "exit " + std::to_string(run.exit_code)
                                              : "signal " + std::to_string(run.signal);
        return checker_error(report.error() + " (" + how + ")");
    }
    const Report& r = *report;
    d.result = r.status;
    d.summary = r.status + " (" + counts(r) + ")";
    for (const auto& res : r.results) d.checks += (d.checks.empty() ? "" : ",") + res.check + "=" + res.status;
    if (!r.culprits.empty()) {
        d.summary += "; culprits:";
        for (const auto& c : r.culprits) d.summary += " " + c;
    }

    if (r.status == "fail") {
        // The checker never fails a node for its peers' fault; if it did, do not drain for it.
        if (const CheckResult* own = first_own(r, "fail")) {
            d.drain = d.fail = true;
            d.reason = fail_reason(*own);
        } else {
            d.summary += "; no failure of this node's own";
        }
    } else if (r.status == "timeout") {
        const CheckResult* own = first_own(r, "timeout");
        d.drain = d.fail = true;
        d.reason = own ? timeout_reason(own->check, own->value.value_or(own->threshold.value_or(r.duration_s)))
                       : timeout_reason("gpucheck", r.duration_s);
    } else if (r.status == "error") {
        const CheckResult* own = first_own(r, "error");
        std::string why = own ? own->check + (own->detail.empty() ? "" : ": " + own->detail) : "a check could not run";
        Decision e = checker_error(why);
        e.summary = d.summary + "; " + e.summary;
        return e;
    }
    return d;
}

}  // namespace ks::spank
