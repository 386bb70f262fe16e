#include "placement/block_state.h"

#include <algorithm>

namespace ks::placement::detail {

ClusterState cluster_state(const topology::Topology& topo, const std::vector<bool>& available,
                           const std::vector<bool>* usable) {
    ClusterState s;
    const auto& blocks = topo.blocks();
    s.blocks.resize(blocks.size());
    const size_t n = topo.size();
    const size_t avail_n = std::min(n, available.size());
    for (size_t i = 0; i < n; ++i) {
        bool a = i < avail_n && available[i];
        bool u = a || !usable || (i < usable->size() && (*usable)[i]);
        BlockState& b = s.blocks[topo.block_of(static_cast<uint32_t>(i))];
        b.free += a;
        b.usable += u;
    }
    // Counting sort on (free, partly used) descending; equal keys keep index order. Linear, so
    // that 10,000 single-node blocks cost no more than a pass.
    uint32_t max_free = 0;
    for (const auto& b : s.blocks) {
        max_free = std::max(max_free, b.free);
        s.total_free += b.free;
    }
    auto key = [](const BlockState& b) { return 2u * b.free + (b.whole() ? 0u : 1u); };
    const uint32_t keys = 2 * max_free + 2;
    std::vector<uint32_t> start(keys + 1, 0);
    size_t with_free = 0;
    for (const auto& b : s.blocks)
        if (b.free > 0) {
            ++start[keys - 1 - key(b) + 1];
            ++with_free;
        }
    for (uint32_t k = 1; k <= keys; ++k) start[k] += start[k - 1];
    s.order.resize(with_free);
    for (uint32_t i = 0; i < s.blocks.size(); ++i)
        if (s.blocks[i].free > 0) s.order[start[keys - 1 - key(s.blocks[i])]++] = i;
    return s;
}

Scopes scopes(const topology::Topology& topo, const ClusterState& state, topology::Level level) {
    Scopes sc;
    const size_t groups = topo.groups(level).size();
    sc.offset.assign(groups + 1, 0);
    for (uint32_t b : state.order) ++sc.offset[topo.block_parent(b, level) + 1];
    for (size_t g = 1; g <= groups; ++g) sc.offset[g] += sc.offset[g - 1];
    sc.list.resize(state.order.size());
    std::vector<uint32_t> fill(sc.offset.begin(), sc.offset.end() - 1);
    for (uint32_t b : state.order) sc.list[fill[topo.block_parent(b, level)]++] = b;
    return sc;
}

uint32_t fewest_blocks(std::span<const uint32_t> sorted, const ClusterState& state, uint32_t need) {
    uint64_t sum = 0;
    for (size_t i = 0; i < sorted.size(); ++i) {
        sum += state.blocks[sorted[i]].free;
        if (sum >= need) return static_cast<uint32_t>(i + 1);
    }
    return 0;
}

Selection choose_blocks(std::span<const uint32_t> sorted, const ClusterState& state, uint32_t need,
                        uint32_t count) {
    auto free_at = [&](size_t i) { return state.blocks[sorted[i]].free; };
    Selection sel;
    if (count <= 1) {
        // Best fit: the fewest free nodes that still hold the job; among equals the first in
        // order (partly used before whole).
        size_t p = 0;
        while (p + 1 < sorted.size() && free_at(p + 1) >= need) ++p;
        while (p > 0 && free_at(p - 1) == free_at(p)) --p;
        sel.blocks.push_back(sorted[p]);
        sel.free = free_at(p);
        return sel;
    }
    uint64_t fixed = 0;
    for (uint32_t i = 0; i + 2 < count; ++i) {
        sel.blocks.push_back(sorted[i]);
        fixed += free_at(i);
    }
    const uint64_t rest = need - fixed;
    // Pair (i, j), i < j, in the remaining blocks with free(i) + free(j) >= rest and the smallest
    // sum; the first found wins ties (largest block plus the smallest fragment that completes it).
    const size_t first = count - 2;
    size_t best_i = first, best_j = first + 1;
    uint64_t best = free_at(best_i) + free_at(best_j);
    size_t j = sorted.size() - 1;
    for (size_t i = first; i + 1 < sorted.size() && j > i; ++i) {
        while (j > i && free_at(i) + free_at(j) < rest) --j;
        if (j <= i) break;
        size_t jj = j;
        while (jj - 1 > i && free_at(jj - 1) == free_at(jj)) --jj;
        uint64_t sum = free_at(i) + free_at(jj);
        if (sum < best) {
            best = sum;
            best_i = i;
            best_j = jj;
        }
    }
    sel.blocks.push_back(sorted[best_i]);
    sel.blocks.push_back(sorted[best_j]);
    sel.free = fixed + best;
    return sel;
}

uint32_t leaf_count(const topology::Topology& topo, const std::vector<uint32_t>& nodes) {
    std::vector<uint32_t> leaves;
    leaves.reserve(nodes.size());
    for (uint32_t i : nodes) leaves.push_back(topo.group_of(i, topology::Level::Leaf));
    std::sort(leaves.begin(), leaves.end());
    return static_cast<uint32_t>(std::unique(leaves.begin(), leaves.end()) - leaves.begin());
}

}  // namespace ks::placement::detail
