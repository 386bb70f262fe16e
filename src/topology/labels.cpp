// Topology from Kubernetes node labels: one small table of presets plus custom keys.
#include <nlohmann/json.hpp>

#include "common/config.h"
#include "common/quote.h"
#include "common/strings.h"
#include "topology/topology.h"

namespace ks::topology {
namespace {

struct Preset {
    std::string_view name;
    std::string_view domain_key;                  // empty: the preset has no domain label
    std::vector<std::string_view> tier_keys;      // leaf first
    std::string_view tier_prefix;                 // "<prefix>N" labels, N = 0, 1, ... (topograph)
};

// The order here is the order of "auto".
const std::vector<Preset>& presets() {
    static const std::vector<Preset> table = {
        {"topograph", "accelerator.topograph.run/domain", {}, "fabric.topograph.run/tier-"},
        {"topograph-legacy", "network.topology.nvidia.com/accelerator",
         {"network.topology.nvidia.com/leaf", "network.topology.nvidia.com/spine",
          "network.topology.nvidia.com/core"}, ""},
        {"gfd", "nvidia.com/gpu.clique", {}, ""},
        {"coreweave", "ds.coreweave.com/nvlink.domain",
         {"ib.coreweave.cloud/leafgroup", "ib.coreweave.cloud/superpod", "ib.coreweave.cloud/fabric"}, ""},
        // AWS numbers its layers from the top: layer-3 is the closest to the node.
        {"aws", "", {"topology.k8s.aws/network-node-layer-3", "topology.k8s.aws/network-node-layer-2",
                     "topology.k8s.aws/network-node-layer-1"}, ""},
        // A GCP sub-block is a rack (an NVL72 domain on A4X); blocks group sub-blocks.
        {"gcp", "cloud.google.com/gce-topology-subblock", {"cloud.google.com/gce-topology-block"}, ""},
        // Nebius: tier-0 is the accelerator interconnect, tier-1 the rack switch, tier-2 the spine.
        {"nebius", "topology.nebius.com/tier-0",
         {"topology.nebius.com/tier-1", "topology.nebius.com/tier-2", "topology.nebius.com/tier-3"}, ""},
    };
    return table;
}

constexpr std::string_view kSlinkyAnnotation = "topology.slinky.slurm.net/spec";

// A value that is not a valid ID counts as absent (see node_from_labels).
std::string get(const StringMap& m, std::string_view key) {
    auto it = m.find(key);
    return it == m.end() || !is_valid_id(it->second) ? std::string() : it->second;
}

bool any_nonempty(const std::vector<std::string>& v) {
    for (const auto& s : v)
        if (!s.empty()) return true;
    return false;
}

std::vector<std::string> tiers_of(const Preset& p, const StringMap& labels) {
    std::vector<std::string> tiers;
    if (!p.tier_prefix.empty()) {
        for (int i = 0; i < kMaxTiers; ++i) tiers.push_back(get(labels, std::string(p.tier_prefix) + std::to_string(i)));
    } else {
        for (auto key : p.tier_keys) tiers.push_back(get(labels, key));
    }
    return tiers;
}

// "topo-switch:s1,topo-block:b1": a topology whose name says block gives the domain, one that
// says switch or tree gives the leaf switch.
void from_slinky(const std::string& spec, std::string& domain, std::vector<std::string>& tiers) {
    for (const auto& item : str::split(spec, ',')) {
        auto colon = item.find(':');
        if (colon == std::string::npos) continue;
        std::string name = str::lower(str::trim(std::string_view(item).substr(0, colon)));
        std::string value(str::trim(std::string_view(item).substr(colon + 1)));
        if (!is_valid_id(value)) continue;
        if (name.find("block") != std::string::npos && domain.empty())
            domain = value;
        else if ((name.find("switch") != std::string::npos || name.find("tree") != std::string::npos) &&
                 tiers.empty())
            tiers.push_back(value);
    }
}

std::vector<std::string> expand_presets(const std::vector<std::string>& requested) {
    std::vector<std::string> out;
    for (const auto& r : requested) {
        std::string p = str::lower(str::trim(r));
        if (p == "auto") {
            for (const auto& preset : presets()) out.emplace_back(preset.name);
            out.emplace_back("slinky");
            out.emplace_back("custom");
        } else {
            out.push_back(p);
        }
    }
    return out;
}

}  // namespace

const std::vector<std::string_view>& preset_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v;
        for (const auto& p : presets()) v.push_back(p.name);
        v.push_back("slinky");
        return v;
    }();
    return names;
}

Status LabelOptions::validate() const {
    if (presets.empty()) return Error{"LabelPreset: no preset given"};
    for (const auto& r : presets) {
        std::string p = str::lower(str::trim(r));
        bool known = p == "auto" || p == "custom";
        for (auto n : preset_names()) known = known || p == n;
        if (!known) {
            std::string all = "auto";
            for (auto n : preset_names()) all += ", " + std::string(n);
            return Error{"LabelPreset: unknown preset '" + r + "' (known: " + all + ", custom)"};
        }
        if (p == "custom" && domain_key.empty() && tier_keys.empty())
            return Error{"LabelPreset: preset 'custom' needs LabelDomainKey or LabelTierKeys"};
    }
    if (tier_keys.size() > static_cast<size_t>(kMaxTiers))
        return Error{"LabelTierKeys: at most " + std::to_string(kMaxTiers) + " keys (leaf, spine, core)"};
    return {};
}

Result<LabelOptions> LabelOptions::from_config(const config::Config& cfg) {
    LabelOptions o;
    o.presets = cfg.list("LabelPreset");
    if (o.presets.empty()) o.presets = {"auto"};
    o.domain_key = cfg.str("LabelDomainKey");
    o.tier_keys = cfg.list("LabelTierKeys");
    if (auto st = o.validate(); !st) return Error{st.error()};
    return o;
}

Node node_from_labels(std::string name, const StringMap& labels, const StringMap& annotations,
                      const LabelOptions& options) {
    Node n;
    n.name = std::move(name);
    for (const auto& p : expand_presets(options.presets)) {
        std::string domain;
        std::vector<std::string> tiers;
        if (p == "custom") {
            if (!options.domain_key.empty()) domain = get(labels, options.domain_key);
            for (const auto& k : options.tier_keys) tiers.push_back(get(labels, k));
        } else if (p == "slinky") {
            if (auto it = annotations.find(kSlinkyAnnotation); it != annotations.end())
                from_slinky(it->second, domain, tiers);
        } else {
            for (const auto& preset : presets()) {
                if (preset.name != p) continue;
                if (!preset.domain_key.empty()) domain = get(labels, preset.domain_key);
                tiers = tiers_of(preset, labels);
            }
        }
        if (n.domain.empty() && !domain.empty()) n.domain = domain;
        if (n.tiers.empty() && any_nonempty(tiers)) n.tiers = std::move(tiers);
        if (!n.domain.empty() && !n.tiers.empty()) break;
    }
    while (!n.tiers.empty() && n.tiers.back().empty()) n.tiers.pop_back();
    return n;
}

namespace {

Result<StringMap> string_map(const nlohmann::json& meta, const char* field, const std::string& where) {
    StringMap out;
    auto it = meta.find(field);
    if (it == meta.end() || it->is_null()) return out;
    if (!it->is_object()) return Error{where + ": metadata." + field + " must be an object"};
    for (const auto& [k, v] : it->items()) {
        if (!v.is_string()) return Error{where + ": metadata." + field + "." + k + " must be a string"};
        out.emplace(k, v.get<std::string>());
    }
    return out;
}

Result<Node> node_from_object(const nlohmann::json& obj, const std::string& where,
                              const LabelOptions& options) {
    if (!obj.is_object()) return Error{where + ": expected a Node object"};
    auto meta = obj.find("metadata");
    if (meta == obj.end() || !meta->is_object()) return Error{where + ": missing metadata"};
    auto name = meta->find("name");
    if (name == meta->end() || !name->is_string() || name->get<std::string>().empty())
        return Error{where + ": missing metadata.name"};
    if (!is_valid_id(name->get<std::string>()))
        return Error{where + ": metadata.name " + quote(name->get<std::string>()) + " is not a valid node name"};
    auto labels = string_map(*meta, "labels", where);
    if (!labels) return Error{labels.error()};
    auto annotations = string_map(*meta, "annotations", where);
    if (!annotations) return Error{annotations.error()};
    return node_from_labels(name->get<std::string>(), *labels, *annotations, options);
}

}  // namespace

Result<Topology> from_node_labels(std::string_view json_text, const LabelOptions& options) {
    if (auto st = options.validate(); !st) return Error{st.error()};
    auto doc = nlohmann::json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (doc.is_discarded()) return Error{"node labels: not valid JSON (expected `kubectl get nodes -o json` output)"};
    if (!doc.is_object()) return Error{"node labels: expected a NodeList, List or Node object"};
    std::vector<Node> nodes;
    auto items = doc.find("items");
    if (items != doc.end()) {
        if (!items->is_array()) return Error{"node labels: \"items\" must be an array"};
        for (size_t i = 0; i < items->size(); ++i) {
            const auto& item = (*items)[i];
            if (item.is_object() && item.contains("kind") && item["kind"] != "Node") continue;
            auto n = node_from_object(item, "node labels: items[" + std::to_string(i) + "]", options);
            if (!n) return Error{n.error()};
            nodes.push_back(std::move(n).value());
        }
    } else {
        auto n = node_from_object(doc, "node labels", options);
        if (!n) return Error{n.error()};
        nodes.push_back(std::move(n).value());
    }
    auto topo = Topology::build(std::move(nodes));
    if (!topo) return Error{"node labels: " + topo.error()};
    return topo;
}

}  // namespace ks::topology
