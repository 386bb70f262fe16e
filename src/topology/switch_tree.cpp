// The switch tree written for topology/tree: one switch per NVLink domain under its leaf, leaves
// under spines under cores, and a root that joins separate trees.
#include <algorithm>
#include <map>
#include <set>

#include "topology/natural_order.h"
#include "topology/slurm_out.h"

namespace ks::topology::slurm_out {
namespace {

constexpr std::string_view kLevelTag[kLevels] = {"domain", "leaf", "spine", "core"};

// Path of switch keys (level, value) from a node upwards: its domain, then its tiers.
std::vector<std::pair<int, std::string>> path_of(const Node& n) {
    std::vector<std::pair<int, std::string>> path;
    if (!n.domain.empty()) path.emplace_back(0, n.domain);
    for (size_t t = 0; t < n.tiers.size(); ++t)
        if (!n.tiers[t].empty()) path.emplace_back(static_cast<int>(t) + 1, n.tiers[t]);
    return path;
}

// Gives every (level, value) a safe Slurm name: the value itself, prefixed with its level when it
// would clash with another level's value or a reserved name.
class SwitchNames {
public:
    explicit SwitchNames(std::set<std::string> reserved) : m_used(std::move(reserved)) {}
    const std::string& name(int level, const std::string& value) {
        auto key = std::make_pair(level, value);
        auto it = m_names.find(key);
        if (it != m_names.end()) return it->second;
        std::string n = safe_name(value);
        const std::string tag(kLevelTag[level]);
        if (m_used.count(n)) n = safe_name(tag + "-" + value);
        for (int i = 2; m_used.count(n); ++i) n = safe_name(tag + "-" + value + "-" + std::to_string(i));
        m_used.insert(n);
        return m_names.emplace(key, n).first->second;
    }
    // A fresh name derived from `base` (for switches kubeslurm adds).
    std::string fresh(const std::string& base) {
        std::string n = safe_name(base);
        for (int i = 2; m_used.count(n); ++i) n = safe_name(base + "-" + std::to_string(i));
        m_used.insert(n);
        return n;
    }

private:
    std::map<std::pair<int, std::string>, std::string> m_names;
    std::set<std::string> m_used;
};

struct SwitchOut {
    std::vector<std::string> nodes;
    std::set<std::string> children;
    bool has_parent = false;
};

std::vector<std::string> sorted(std::vector<std::string> names) {
    std::sort(names.begin(), names.end(), natural_less);
    return names;
}

}  // namespace

std::vector<Switch> switch_tree(const Topology& topo) {
    // Level values are named first, in level order, so that lower levels keep their plain names.
    SwitchNames names({"root", "unplaced"});
    for (int level = 0; level < kLevels; ++level)
        for (const auto& n : topo.nodes())
            for (const auto& [l, v] : path_of(n))
                if (l == level) names.name(l, v);

    std::map<std::string, SwitchOut> switches;
    std::vector<std::string> order;  // bottom-up, first appearance
    auto sw = [&](const std::string& name) -> SwitchOut& {
        auto [it, fresh] = switches.try_emplace(name);
        if (fresh) order.push_back(name);
        return it->second;
    };
    std::vector<std::string> unplaced;
    for (const auto& n : topo.nodes()) {
        auto path = path_of(n);
        if (path.empty()) {
            unplaced.push_back(n.name);
            continue;
        }
        std::string below = names.name(path[0].first, path[0].second);
        sw(below).nodes.push_back(n.name);
        for (size_t i = 1; i < path.size(); ++i) {
            std::string up = names.name(path[i].first, path[i].second);
            sw(up).children.insert(below);
            sw(below).has_parent = true;
            below = up;
        }
    }
    // Slurm forbids a switch with both nodes and child switches: move its nodes one level down.
    std::vector<std::string> mixed;
    for (const auto& name : order)
        if (!switches[name].nodes.empty() && !switches[name].children.empty()) mixed.push_back(name);
    for (const auto& name : mixed) {
        std::string extra = names.fresh(name + "-nodes");
        SwitchOut& s = sw(extra);
        s.nodes = std::move(switches[name].nodes);
        s.has_parent = true;
        switches[name].nodes.clear();
        switches[name].children.insert(extra);
    }
    std::vector<std::string> tops;
    for (const auto& name : order)
        if (!switches[name].has_parent) tops.push_back(name);

    std::vector<Switch> out;
    for (const auto& name : order) {
        const SwitchOut& s = switches[name];
        out.push_back({name, sorted(s.nodes), sorted({s.children.begin(), s.children.end()})});
    }
    // One root joins separate trees (and nodes without topology) so that jobs may still span them.
    if (!unplaced.empty() && tops.empty()) {
        out.push_back({"root", sorted(unplaced), {}});
        return out;
    }
    if (!unplaced.empty()) {
        out.push_back({"unplaced", sorted(unplaced), {}});
        tops.push_back("unplaced");
    }
    if (tops.size() > 1) out.push_back({"root", {}, sorted(tops)});
    return out;
}

}  // namespace ks::topology::slurm_out
