#include "node_report.h"

#include <sstream>

#include "common/strings.h"

namespace ks::burnin {

std::string result_label(const health::CheckResult& r) {
    return r.device ? r.check + "[" + std::to_string(*r.device) + "]" : r.check;
}

bool fails_node(const health::CheckResult& r) {
    using health::Status;
    return r.blame != health::Blame::Peers &&
           (r.status == Status::Fail || r.status == Status::Error || r.status == Status::Timeout);
}

Result<nlohmann::json> extract_report(std::string_view output) {
    size_t pos = 0;
    while (pos < output.size()) {
        size_t brace = output.find('{', pos);
        if (brace == std::string_view::npos) break;
        // The document starts a line, or (srun --label splits long lines into labelled
        // chunks, joined again without newlines) starts with its schema key.
        if (brace == 0 || output[brace - 1] == '\n' || output.substr(brace, 10) == "{\"schema\":") {
            std::istringstream in{std::string(output.substr(brace))};
            nlohmann::json j;
            try {
                in >> j;
                if (j.is_object() && j.value("schema", "") == kReportSchema) return j;
            } catch (const nlohmann::json::exception&) {
                // not the document: keep looking
            }
        }
        pos = brace + 1;
    }
    return Error{"no kubeslurm.gpucheck/v1 JSON document in the output"};
}

namespace {

std::optional<double> number(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
}

std::string text(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<NodeOutcome> outcome_from_report(const nlohmann::json& report) {
    if (!report.is_object()) return Error{"report is not a JSON object"};
    NodeOutcome o;
    o.node = text(report, "node");
    if (o.node.empty()) return Error{"report has no \"node\""};
    o.status = text(report, "status");
    if (!health::parse_status(o.status))
        return Error{"report of " + o.node + ": bad \"status\" '" + o.status + "'"};
    o.duration_s = number(report, "duration_s").value_or(0);
    o.reason = text(report, "reason");
    auto results = report.find("results");
    if (results == report.end() || !results->is_array()) return Error{"report of " + o.node + ": no \"results\" array"};
    for (const auto& r : *results) {
        if (!r.is_object()) return Error{"report of " + o.node + ": a result is not an object"};
        auto f = health::result_from_json(r);
        if (!f) return Error{"report of " + o.node + ": " + f.error()};
        o.results.push_back(std::move(f.value()));
    }
    if (auto c = report.find("culprits"); c != report.end() && c->is_array())
        for (const auto& n : *c)
            if (n.is_string()) o.culprits.push_back(n.get<std::string>());
    return o;
}

std::map<int, std::string> split_labelled(std::string_view output, bool keep_newlines) {
    std::map<int, std::string> out;
    for (const auto& line : str::split(output, '\n', false)) {
        auto colon = line.find(": ");
        auto task = colon == std::string::npos ? std::nullopt : str::to_long(str::trim(line.substr(0, colon)));
        if (!task) continue;  // srun's own messages
        out[static_cast<int>(*task)] += line.substr(colon + 2) + (keep_newlines ? "\n" : "");
    }
    return out;
}

}  // namespace ks::burnin
