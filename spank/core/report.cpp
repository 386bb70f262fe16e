#include "spank/core/report.h"

#include <map>

#include <nlohmann/json.hpp>

#include "health/report.h"

namespace ks::spank {
namespace {

using nlohmann::json;

constexpr std::string_view kSchema = "kubeslurm.gpucheck/v1";
constexpr size_t kMaxReason = 200;  // keep drain reasons readable in sinfo/scontrol

std::string text_of(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string clip(std::string s) {
    for (auto& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (s.size() > kMaxReason) s = s.substr(0, kMaxReason - 3) + "...";
    return s;
}

std::string counts(const Report& r) {
    std::map<std::string_view, int> n;
    for (const auto& res : r.results) ++n[health::status_name(res.status)];
    std::string out;
    for (const auto& [status, count] : n)
        out += (out.empty() ? "" : ", ") + std::to_string(count) + " " + std::string(status);
    return out.empty() ? "no checks" : out;
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
    auto status = health::parse_status(text_of(doc, "status"));
    if (!status) return Error{"checker output has an unknown status '" + text_of(doc, "status") + "'"};
    r.status = *status;
    if (auto it = doc.find("duration_s"); it != doc.end() && it->is_number()) r.duration_s = it->get<double>();
    if (auto it = doc.find("culprits"); it != doc.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) r.culprits.push_back(v.get<std::string>());
    if (auto it = doc.find("results"); it != doc.end() && it->is_array()) {
        for (const auto& item : *it) {
            auto res = health::result_from_json(item);
            if (!res) return Error{"checker output: " + res.error()};
            r.results.push_back(std::move(res.value()));
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

std::string gate_reason(const health::CheckResult& result) { return clip(health::drain_reason(result)); }

Decision decide(const ChildOutcome& run, OnError on_error, long timeout_s) {
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
        d.reason = gate_reason(health::timed_out("gpucheck", static_cast<double>(timeout_s)));
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
    d.result = std::string(health::status_name(r.status));
    d.summary = d.result + " (" + counts(r) + ")";
    for (const auto& res : r.results)
        d.checks += (d.checks.empty() ? "" : ",") + res.check + "=" + std::string(health::status_name(res.status));
    if (!r.culprits.empty()) {
        d.summary += "; culprits:";
        for (const auto& c : r.culprits) d.summary += " " + c;
    }

    // Only a result blamed on this node decides; the checker never fails a node for its peers'
    // fault, and if it did, this node is not drained for it.
    const health::CheckResult* own = health::deciding_result(r.results);
    if (r.status == health::Status::Fail || r.status == health::Status::Timeout) {
        if (own) {
            d.drain = d.fail = true;
            d.reason = gate_reason(*own);
        } else if (r.status == health::Status::Timeout) {
            d.drain = d.fail = true;
            d.reason = gate_reason(health::timed_out("gpucheck", r.duration_s));
        } else {
            d.summary += "; no failure of this node's own";
        }
    } else if (r.status == health::Status::Error) {
        std::string why = own ? own->check + (own->detail.empty() ? "" : ": " + own->detail) : "a check could not run";
        Decision e = checker_error(why);
        e.summary = d.summary + "; " + e.summary;
        e.checks = d.checks;
        return e;
    }
    return d;
}

}  // namespace ks::spank
