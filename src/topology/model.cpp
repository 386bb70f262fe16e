#include <algorithm>
#include <cctype>
#include <cstdio>

#include "common/quote.h"
#include "topology/natural_order.h"
#include "topology/topology.h"

namespace ks::topology {
namespace {

uint64_t fnv1a(uint64_t h, std::string_view s) {
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string content_hash(const std::vector<Node>& nodes) {
    uint64_t h = 14695981039346656037ULL;
    for (const auto& n : nodes) {
        h = fnv1a(h, n.name);
        h = fnv1a(h, std::string_view("\0", 1));
        h = fnv1a(h, n.domain);
        for (const auto& t : n.tiers) {
            h = fnv1a(h, std::string_view("\1", 1));
            h = fnv1a(h, t);
        }
        h = fnv1a(h, "\n");
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// Key of a node's group at a level. A missing level inherits the key of the level below; keys
// carry the level they come from so that a leaf "x" and a domain "x" stay different groups.
std::string group_key(const Node& n, int level, std::string& display) {
    if (level == 0) {
        display = n.domain.empty() ? n.name : n.domain;
        return n.domain.empty() ? "n\x1f" + n.name : "d\x1f" + n.domain;
    }
    const std::string& tier = static_cast<size_t>(level - 1) < n.tiers.size() ? n.tiers[level - 1] : "";
    if (tier.empty()) return group_key(n, level - 1, display);
    display = tier;
    return std::to_string(level) + "\x1f" + tier;
}

}  // namespace

std::string_view level_name(Level level) {
    switch (level) {
        case Level::Block: return "NVLink domain";
        case Level::Leaf: return "leaf switch";
        case Level::Spine: return "spine switch";
        case Level::Core: return "core switch";
    }
    return "?";
}

bool is_valid_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxIdLength) return false;
    for (char c : id)
        if (c <= ' ' || c >= 0x7f) return false;
    return true;
}

Status check_ids(const Node& n) {
    const std::string rule = " (1-" + std::to_string(kMaxIdLength) + " printable ASCII characters, no spaces)";
    if (!is_valid_id(n.name)) return Error{"node name " + quote(n.name) + " is not valid" + rule};
    if (!n.domain.empty() && !is_valid_id(n.domain))
        return Error{"node " + n.name + ": domain " + quote(n.domain) + " is not valid" + rule};
    for (const auto& tier : n.tiers)
        if (!tier.empty() && !is_valid_id(tier))
            return Error{"node " + n.name + ": switch " + quote(tier) + " is not valid" + rule};
    return {};
}

Result<Topology> Topology::build(std::vector<Node> nodes) {
    Topology t;
    for (auto& n : nodes) {
        if (n.name.empty()) return Error{"topology: a node has an empty name"};
        while (!n.tiers.empty() && n.tiers.back().empty()) n.tiers.pop_back();
        if (n.tiers.size() > static_cast<size_t>(kMaxTiers))
            return Error{"topology: node '" + n.name + "' has " + std::to_string(n.tiers.size()) +
                         " tiers; at most " + std::to_string(kMaxTiers) + " (leaf, spine, core)"};
    }
    std::sort(nodes.begin(), nodes.end(),
              [](const Node& a, const Node& b) { return natural_less(a.name, b.name); });
    for (size_t i = 1; i < nodes.size(); ++i)
        if (nodes[i].name == nodes[i - 1].name)
            return Error{"topology: duplicate node '" + nodes[i].name + "'"};

    t.m_nodes = std::move(nodes);
    t.m_index.reserve(t.m_nodes.size());
    for (uint32_t i = 0; i < t.m_nodes.size(); ++i) t.m_index.emplace(t.m_nodes[i].name, i);

    for (int level = 0; level < kLevels; ++level) {
        std::unordered_map<std::string, uint32_t> ids;
        auto& groups = t.m_groups[level];
        auto& of = t.m_group_of[level];
        of.resize(t.m_nodes.size());
        for (uint32_t i = 0; i < t.m_nodes.size(); ++i) {
            std::string display;
            std::string key = group_key(t.m_nodes[i], level, display);
            auto [it, inserted] = ids.emplace(std::move(key), static_cast<uint32_t>(groups.size()));
            if (inserted) groups.push_back(Group{std::move(display), {}});
            groups[it->second].members.push_back(i);
            of[i] = it->second;
        }
    }
    t.m_hash = content_hash(t.m_nodes);
    return t;
}

int64_t Topology::index_of(std::string_view name) const {
    auto it = m_index.find(std::string(name));
    return it == m_index.end() ? -1 : static_cast<int64_t>(it->second);
}

const Node* Topology::find(std::string_view name) const {
    int64_t i = index_of(name);
    return i < 0 ? nullptr : &m_nodes[static_cast<size_t>(i)];
}

uint32_t Topology::block_parent(uint32_t block, Level level) const {
    return group_of(blocks()[block].members.front(), level);
}

bool Topology::has_domains() const {
    return std::any_of(m_nodes.begin(), m_nodes.end(), [](const Node& n) { return !n.domain.empty(); });
}

bool Topology::has_tiers() const {
    return std::any_of(m_nodes.begin(), m_nodes.end(), [](const Node& n) { return !n.tiers.empty(); });
}

}  // namespace ks::topology
