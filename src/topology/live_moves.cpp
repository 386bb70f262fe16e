#include "topology/live_moves.h"

#include <map>
#include <set>

#include "topology/slurm_out.h"

namespace ks::topology {
namespace {

// Node name -> block name, for the blocks the file for `options` holds.
Result<std::map<std::string, std::string>> block_of_node(const Topology& topo, const ConfOptions& options) {
    std::map<std::string, std::string> out;
    bool any_domain = false;
    for (const auto& n : topo.nodes()) any_domain = any_domain || !n.domain.empty();
    if (!any_domain) return out;  // no block at all: a layout, not an error, here
    auto layout = slurm_out::block_layout(topo, options.slurm, options.block_size);
    if (!layout) return Error{layout.error()};
    for (const auto& block : layout->blocks)
        for (const auto& node : block.nodes) out[node] = block.name;
    return out;
}

// Node name -> its switches from the root down to its leaf, "root:...:leaf", as the tree
// topology of the file holds them.
std::map<std::string, std::string> switch_path_of_node(const Topology& topo) {
    std::map<std::string, std::string> parent, leaf;
    for (const auto& s : slurm_out::switch_tree(topo)) {
        for (const auto& child : s.children) parent[child] = s.name;
        for (const auto& node : s.nodes) leaf[node] = s.name;
    }
    std::map<std::string, std::string> out;
    for (const auto& [node, first] : leaf) {
        std::string path = first;
        for (auto up = parent.find(first); up != parent.end(); up = parent.find(up->second))
            path = up->second + ":" + path;
        out[node] = path;
    }
    return out;
}

struct Address {
    std::string block;     // "" = in no block
    std::string topology;  // the node update's topology field
};

Result<std::map<std::string, Address>> addresses(const Topology& topo, const ConfOptions& options) {
    auto blocks = block_of_node(topo, options);
    if (!blocks) return Error{blocks.error()};
    auto paths = switch_path_of_node(topo);
    std::map<std::string, Address> out;
    for (const auto& n : topo.nodes()) {
        Address a;
        std::vector<std::string> parts;
        if (auto b = blocks->find(n.name); b != blocks->end()) {
            a.block = b->second;
            parts.push_back(std::string(kYamlBlockTopology) + ":" + b->second);
        }
        if (auto p = paths.find(n.name); p != paths.end())
            parts.push_back(std::string(kYamlTreeTopology) + ":" + p->second);
        for (size_t i = 0; i < parts.size(); i++) a.topology += (i ? "," : "") + parts[i];
        out[n.name] = std::move(a);
    }
    return out;
}

}  // namespace

Result<LiveMoves> live_block_moves(const Topology& loaded, const Topology& next, const ConfOptions& options) {
    if (!options.slurm.at_least(25, 5))
        return Error{"moving a node between blocks live needs Slurm 25.05 or later (Slurm " +
                     options.slurm.str() + ")"};
    auto before = addresses(loaded, options);
    if (!before) return Error{before.error()};
    auto after = addresses(next, options);
    if (!after) return Error{after.error()};
    std::set<std::string> known;
    for (const auto& [node, a] : *before)
        if (!a.block.empty()) known.insert(a.block);

    LiveMoves out;
    std::set<std::string> fresh;
    for (const auto& n : next.nodes()) {
        const Address& to = after->at(n.name);
        auto was = before->find(n.name);
        if (was != before->end() && was->second.topology == to.topology) continue;
        if (was == before->end() && to.topology.empty()) continue;
        if (!to.block.empty() && !known.count(to.block)) {
            fresh.insert(to.block);  // slurmctld has no such block: it waits for a reconfigure
            continue;
        }
        out.moves.push_back({n.name, to.topology});
    }
    out.new_blocks.assign(fresh.begin(), fresh.end());
    return out;
}

}  // namespace ks::topology
