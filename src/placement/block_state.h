// Internal to the placement module: free/usable counts per block for one placement call, and the
// block choice inside one scope (a leaf, spine, core group or the whole cluster).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "topology/topology.h"

namespace ks::placement::detail {

struct BlockState {
    uint32_t free = 0;    // available nodes
    uint32_t usable = 0;  // nodes the job could ever use (>= free)
    bool whole() const { return free > 0 && free == usable; }
};

struct ClusterState {
    std::vector<BlockState> blocks;
    uint64_t total_free = 0;
    // Blocks with free nodes, most free first; among equal counts partly used blocks before whole
    // ones, then by index. Every scope list below is a sub-sequence of this order.
    std::vector<uint32_t> order;
};

ClusterState cluster_state(const topology::Topology& topo, const std::vector<bool>& available,
                           const std::vector<bool>* usable);

// Blocks with free nodes grouped by their group at `level`, each group's slice in `order` order
// (compressed sparse rows: blocks of group g are list[offset[g] .. offset[g+1])).
struct Scopes {
    std::vector<uint32_t> offset;
    std::vector<uint32_t> list;
    std::span<const uint32_t> of(uint32_t group) const {
        return {list.data() + offset[group], list.data() + offset[group + 1]};
    }
};
Scopes scopes(const topology::Topology& topo, const ClusterState& state, topology::Level level);

// Fewest blocks of `sorted` (in `order` order) whose free nodes reach `need`; 0 if they cannot.
uint32_t fewest_blocks(std::span<const uint32_t> sorted, const ClusterState& state, uint32_t need);

// Leaf switches spanned by `nodes` (topology node indexes).
uint32_t leaf_count(const topology::Topology& topo, const std::vector<uint32_t>& nodes);

struct Selection {
    std::vector<uint32_t> blocks;  // the chosen blocks, most free first
    uint64_t free = 0;             // their free nodes together (>= need)
};

// The tightest choice of exactly `count` blocks of `sorted` holding `need` nodes: the largest
// count-2 blocks, then the pair with the fewest free nodes that covers the rest (one block: the
// best fit). Requires fewest_blocks(sorted, state, need) == count.
Selection choose_blocks(std::span<const uint32_t> sorted, const ClusterState& state, uint32_t need,
                        uint32_t count);

}  // namespace ks::placement::detail
