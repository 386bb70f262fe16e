#include "node_report.h"

#include <sstream>

#include "common/strings.h"

namespace ks::burnin {

std::string Figure::label() const { return device >= 0 ? check + "[" + std::to_string(device) + "]" : check; }

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
    if (o.status != "pass" && o.status != "fail" && o.status != "skip" && o.status != "error" && o.status != "timeout")
        return Error{"report of " + o.node + ": bad \"status\" '" + o.status + "'"};
    o.duration_s = number(report, "duration_s").value_or(0);
    o.reason = text(report, "reason");
    auto results = report.find("results");
    if (results == report.end() || !results->is_array()) return Error{"report of " + o.node + ": no \"results\" array"};
    for (const auto& r : *results) {
        if (!r.is_object()) return Error{"report of " + o.node + ": a result is not an object"};
        Figure f;
        f.check = text(r, "check");
        if (f.check.empty()) return Error{"report of " + o.node + ": a result has no \"check\""};
        f.status = text(r, "status");
        f.value = number(r, "value");
        f.threshold = number(r, "threshold");
        f.unit = text(r, "unit");
        f.comparison = text(r, "comparison");
        f.detail = text(r, "detail");
        f.blame_peers = text(r, "blame") == "peers";
        if (auto d = r.find("device"); d != r.end() && d->is_number_integer()) f.device = d->get<int>();
        o.results.push_back(std::move(f));
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
