#include <nlohmann/json.hpp>

#include "report.h"

namespace ks::burnin {

namespace {

nlohmann::json outcome_json(const NodeOutcome& n) {
    nlohmann::json results = nlohmann::json::array();
    for (const auto& f : n.results) {
        nlohmann::json r = {{"check", f.check}, {"status", health::status_name(f.status)}};
        if (f.device) r["device"] = *f.device;
        if (f.value) r["value"] = *f.value;
        if (f.threshold) r["threshold"] = *f.threshold;
        if (!f.unit.empty()) r["unit"] = f.unit;
        if (!f.comparison.empty()) r["comparison"] = f.comparison;
        if (!f.detail.empty()) r["detail"] = f.detail;
        if (f.blame == health::Blame::Peers) r["blame"] = "peers";
        results.push_back(r);
    }
    return {{"node", n.node},       {"status", n.status}, {"duration_s", n.duration_s}, {"reason", n.reason},
            {"problem", n.problem}, {"exit_code", n.exit_code}, {"results", results}, {"culprits", n.culprits}};
}

}  // namespace

std::string render_json(const SweepResult& sw) {
    nlohmann::json j;
    j["schema"] = "kubeslurm.burnin/v1";
    j["sweep"] = sw.id;
    j["started"] = sw.started;
    j["finished"] = sw.finished;
    j["level"] = sw.level;
    j["duration_s"] = sw.duration_s;
    j["nodes"] = nlohmann::json::array();
    for (const auto& n : sw.nodes) j["nodes"].push_back(outcome_json(n));
    j["not_run"] = nlohmann::json::array();
    for (const auto& [node, why] : sw.not_run) j["not_run"].push_back({{"node", node}, {"why", why}});
    j["groups"] = nlohmann::json::array();
    for (const auto& g : sw.groups) {
        nlohmann::json reports = nlohmann::json::array();
        for (const auto& r : g.reports) reports.push_back(outcome_json(r));
        j["groups"].push_back({{"kind", g.kind}, {"name", g.name}, {"nodes", g.nodes}, {"status", g.status},
                               {"problem", g.problem}, {"reports", reports}});
    }
    j["drained"] = nlohmann::json::array();
    for (const auto& [node, reason] : sw.drained) j["drained"].push_back({{"node", node}, {"reason", reason}});
    j["lemons"] = nlohmann::json::array();
    for (const auto& [node, r] : sw.lemons)
        j["lemons"].push_back({{"node", node}, {"failures", r.failures}, {"sweeps", r.sweeps}, {"checks", r.checks}});
    return j.dump(2) + "\n";
}

}  // namespace ks::burnin
