#include "topology/render.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "common/hostlist.h"

namespace ks::topology {
namespace {

struct Row {
    std::string label;
    std::string hosts;
    std::vector<uint32_t> members;
};

constexpr const char* kKind[kLevels] = {"domain", "leaf", "spine", "core"};

bool has_level(const Node& n, int level) {
    if (level == 0) return !n.domain.empty();
    return n.tiers.size() >= static_cast<size_t>(level) && !n.tiers[level - 1].empty();
}

class TreeWriter {
public:
    explicit TreeWriter(const Topology& topo) : m_topo(topo) {
        for (int level = 1; level < kLevels; ++level) {
            m_children[level].resize(topo.groups(static_cast<Level>(level)).size());
            const auto& below = topo.groups(static_cast<Level>(level - 1));
            for (uint32_t h = 0; h < below.size(); ++h)
                m_children[level][topo.group_of(below[h].members.front(), static_cast<Level>(level))].push_back(h);
        }
    }

    std::vector<Row> rows() {
        std::vector<uint32_t> loose;  // nodes without any topology
        const auto& tops = m_topo.groups(Level::Core);
        for (uint32_t g = 0; g < tops.size(); ++g) {
            const Node& first = m_topo.nodes()[tops[g].members.front()];
            if (tops[g].members.size() == 1 && first.domain.empty() && first.tiers.empty())
                loose.push_back(tops[g].members.front());
            else
                walk(kLevels - 1, g, 0);
        }
        if (!loose.empty()) add(0, "no topology", loose);
        return std::move(m_rows);
    }

private:
    std::string hosts(const std::vector<uint32_t>& members) const {
        std::vector<std::string> names;
        for (uint32_t i : members) names.push_back(m_topo.nodes()[i].name);
        return hostlist::compress(names);
    }

    void add(int depth, std::string label, std::vector<uint32_t> members) {
        m_rows.push_back(Row{std::string(2 * depth, ' ') + label, hosts(members), std::move(members)});
    }

    void walk(int level, uint32_t g, int depth) {
        const Group& group = m_topo.groups(static_cast<Level>(level))[g];
        if (has_level(m_topo.nodes()[group.members.front()], level)) {
            add(depth, std::string(kKind[level]) + " " + group.name, group.members);
            ++depth;
        }
        if (level > 1) {
            for (uint32_t child : m_children[level][g]) walk(level - 1, child, depth);
            return;
        }
        std::vector<uint32_t> bare;
        for (uint32_t b : m_children[1][g]) {
            const Group& block = m_topo.blocks()[b];
            if (has_level(m_topo.nodes()[block.members.front()], 0))
                add(depth, std::string(kKind[0]) + " " + block.name, block.members);
            else
                bare.insert(bare.end(), block.members.begin(), block.members.end());
        }
        if (!bare.empty()) {
            std::sort(bare.begin(), bare.end());
            add(depth, "no domain", std::move(bare));
        }
    }

    const Topology& m_topo;
    std::vector<std::vector<uint32_t>> m_children[kLevels];
    std::vector<Row> m_rows;
};

size_t count_named(const Topology& topo, int level) {
    std::set<uint32_t> groups;
    for (uint32_t i = 0; i < topo.size(); ++i)
        if (has_level(topo.nodes()[i], level)) groups.insert(topo.group_of(i, static_cast<Level>(level)));
    return groups.size();
}

}  // namespace

std::string render_tree(const Topology& topo, const std::vector<NodeUse>* use) {
    std::string out = "topology " + topo.hash() + ": " + std::to_string(topo.size()) + " nodes, " +
                      std::to_string(count_named(topo, 0)) + " NVLink domains, " +
                      std::to_string(count_named(topo, 1)) + " leaf switches\n";
    std::vector<Row> rows = TreeWriter(topo).rows();
    size_t w_label = 5, w_hosts = 5;
    for (const auto& r : rows) {
        w_label = std::max(w_label, r.label.size());
        w_hosts = std::max(w_hosts, r.hosts.size());
    }
    char buf[64];
    auto line = [&](const std::string& label, const std::string& hosts, const std::string& figures) {
        out += label + std::string(w_label - label.size() + 2, ' ') + hosts +
               std::string(w_hosts - hosts.size() + 1, ' ') + figures + "\n";
    };
    line("GROUP", "NODES", use ? " COUNT  FREE ALLOC DRAIN" : " COUNT");
    for (const auto& r : rows) {
        uint32_t counts[4] = {0, 0, 0, 0};
        if (use)
            for (uint32_t i : r.members) ++counts[static_cast<int>(i < use->size() ? (*use)[i] : NodeUse::Unknown)];
        if (use)
            std::snprintf(buf, sizeof buf, "%6zu%6u%6u%6u", r.members.size(), counts[0], counts[1], counts[2]);
        else
            std::snprintf(buf, sizeof buf, "%6zu", r.members.size());
        line(r.label, r.hosts, buf);
    }
    if (use) {
        std::vector<std::string> names;
        for (uint32_t i = 0; i < topo.size(); ++i)
            if (i >= use->size() || (*use)[i] == NodeUse::Unknown) names.push_back(topo.nodes()[i].name);
        if (!names.empty())
            out += std::to_string(names.size()) + " node(s) of the topology unknown to Slurm: " +
                   hostlist::compress(names) + "\n";
    }
    return out;
}

}  // namespace ks::topology
