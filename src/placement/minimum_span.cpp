// soonest_minimum_span(): where a job could reach its minimum span soonest: the fewest blocks with
// the most free nodes now. Backfill compares a plan there with the job's earliest start anywhere
// when nothing waits (TopologyMaxWait=0); a waiting head holds no nodes (select-plugin.md).
#include <algorithm>

#include "placement/block_state.h"
#include "placement/placement.h"

namespace ks::placement {
namespace {

using topology::Level;

struct BlockCount {
    uint32_t block = 0;
    uint32_t usable = 0;  // nodes the job could use there
    uint32_t free = 0;    // of those, free now
};

struct Choice {
    std::vector<uint32_t> blocks;
    uint64_t free = 0;
    uint64_t usable = 0;
    // More free nodes now first; then the tighter fit (fewer usable nodes), then lower indexes.
    bool better_than(const Choice& other) const {
        if (free != other.free) return free > other.free;
        if (usable != other.usable) return usable < other.usable;
        return blocks < other.blocks;
    }
};

// The best pair of `pool` (sorted by free nodes, most first) whose usable nodes reach `need`.
std::optional<Choice> best_pair(const std::vector<BlockCount>& pool, uint64_t need) {
    std::optional<Choice> best;
    for (size_t i = 0; i < pool.size(); ++i) {
        if (best && i + 1 < pool.size() && pool[i].free + pool[i + 1].free < best->free) break;
        for (size_t j = i + 1; j < pool.size(); ++j) {
            if (uint64_t(pool[i].usable) + pool[j].usable < need) continue;
            Choice c{{pool[i].block, pool[j].block}, uint64_t(pool[i].free) + pool[j].free,
                     uint64_t(pool[i].usable) + pool[j].usable};
            std::sort(c.blocks.begin(), c.blocks.end());
            if (!best || c.better_than(*best)) best = std::move(c);
        }
    }
    return best;
}

// `count` blocks of `pool` holding `need` usable nodes with the most free nodes now: exact for
// one and two blocks; for more, the count-2 blocks with most free nodes (else the largest) and
// then the best pair for the rest.
std::optional<Choice> best_blocks(std::vector<BlockCount> pool, uint64_t need, uint32_t count) {
    if (pool.size() < count || count == 0) return std::nullopt;
    auto by_free = [](const BlockCount& a, const BlockCount& b) {
        if (a.free != b.free) return a.free > b.free;
        if (a.usable != b.usable) return a.usable < b.usable;
        return a.block < b.block;
    };
    std::sort(pool.begin(), pool.end(), by_free);
    if (count == 1) {
        std::optional<Choice> best;
        for (const auto& b : pool) {
            if (b.usable < need) continue;
            Choice c{{b.block}, b.free, b.usable};
            if (!best || c.better_than(*best)) best = std::move(c);
        }
        return best;
    }
    if (count == 2) return best_pair(pool, need);
    auto by_size = [](const BlockCount& a, const BlockCount& b) {
        return a.usable != b.usable ? a.usable > b.usable : a.block < b.block;
    };
    for (bool largest : {false, true}) {
        std::vector<BlockCount> rest = pool;
        if (largest) std::stable_sort(rest.begin(), rest.end(), by_size);
        Choice head;
        for (uint32_t k = 0; k + 2 < count; ++k) {
            head.blocks.push_back(rest[k].block);
            head.free += rest[k].free;
            head.usable += rest[k].usable;
        }
        rest.erase(rest.begin(), rest.begin() + (count - 2));
        std::sort(rest.begin(), rest.end(), by_free);
        uint64_t left = need > head.usable ? need - head.usable : 0;
        if (auto pair = best_pair(rest, left)) {
            head.blocks.insert(head.blocks.end(), pair->blocks.begin(), pair->blocks.end());
            std::sort(head.blocks.begin(), head.blocks.end());
            head.free += pair->free;
            head.usable += pair->usable;
            return head;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<Candidate> soonest_minimum_span(const topology::Topology& topo,
                                              const std::vector<bool>& usable,
                                              const std::vector<bool>& free_now,
                                              const Request& request) {
    const uint32_t need = std::max<uint32_t>(1, request.min_nodes);
    auto minimum = minimum_domains(topo, &usable, need);
    if (!minimum) return std::nullopt;

    std::vector<BlockCount> counts(topo.blocks().size());
    for (uint32_t b = 0; b < counts.size(); ++b) counts[b].block = b;
    for (uint32_t i = 0; i < topo.size(); ++i) {
        if (i >= usable.size() || !usable[i]) continue;
        auto& c = counts[topo.block_of(i)];
        ++c.usable;
        if (i < free_now.size() && free_now[i]) ++c.free;
    }

    // Narrowest scope first: one leaf, one spine, one core group, then anywhere.
    std::optional<Choice> best;
    for (int level = int(Level::Leaf); level <= int(Level::Core) + 1 && !best; ++level) {
        const bool anywhere = level > int(Level::Core);
        const size_t groups = anywhere ? 1 : topo.groups(Level(level)).size();
        std::vector<std::vector<BlockCount>> pools(groups);
        for (const auto& c : counts) {
            if (c.usable == 0) continue;
            pools[anywhere ? 0 : topo.block_parent(c.block, Level(level))].push_back(c);
        }
        for (auto& pool : pools) {
            auto choice = best_blocks(std::move(pool), need, *minimum);
            if (choice && (!best || choice->better_than(*best))) best = std::move(choice);
        }
    }
    if (!best) return std::nullopt;

    Candidate c;
    c.blocks = best->blocks;
    c.domains = static_cast<uint32_t>(c.blocks.size());
    for (uint32_t b : c.blocks)
        for (uint32_t i : topo.blocks()[b].members)
            if (i < usable.size() && usable[i]) c.nodes.push_back(i);
    std::sort(c.nodes.begin(), c.nodes.end());
    c.leaves = detail::leaf_count(topo, c.nodes);
    return c;
}

}  // namespace ks::placement
