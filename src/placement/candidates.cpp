// candidates(): the policy itself. See placement.h for the semantics of each policy.
#include <algorithm>

#include "placement/block_state.h"
#include "placement/placement.h"

namespace ks::placement {
namespace {

using detail::ClusterState;
using detail::Selection;
using topology::Level;

struct Need {
    uint32_t lo = 1;  // nodes at least
    uint32_t hi = 1;  // nodes at most
};

class Builder {
public:
    Builder(const topology::Topology& topo, const std::vector<bool>& available, size_t max)
        : m_topo(topo), m_available(available), m_max(max) {}

    bool full() const { return m_out.size() >= m_max; }

    // Adds the nodes of `sel` (whole blocks first, most free first; the last block gives its
    // lowest-numbered free nodes) unless the same blocks were already offered.
    void add(const Selection& sel, uint32_t count) {
        if (full()) return;
        std::vector<uint32_t> blocks = sel.blocks;
        std::sort(blocks.begin(), blocks.end());
        for (const auto& c : m_out)
            if (c.blocks == blocks) return;
        Candidate c;
        c.blocks = std::move(blocks);
        c.domains = static_cast<uint32_t>(c.blocks.size());
        uint32_t left = count;
        for (uint32_t b : sel.blocks) {
            for (uint32_t i : m_topo.blocks()[b].members) {
                if (left == 0) break;
                if (i < m_available.size() && m_available[i]) {
                    c.nodes.push_back(i);
                    --left;
                }
            }
        }
        std::sort(c.nodes.begin(), c.nodes.end());
        c.leaves = detail::leaf_count(m_topo, c.nodes);
        m_out.push_back(std::move(c));
    }

    void add_everything() {
        Candidate c;
        for (uint32_t i = 0; i < m_topo.size(); ++i)
            if (i < m_available.size() && m_available[i]) c.nodes.push_back(i);
        for (uint32_t i : c.nodes) c.blocks.push_back(m_topo.block_of(i));
        std::sort(c.blocks.begin(), c.blocks.end());
        c.blocks.erase(std::unique(c.blocks.begin(), c.blocks.end()), c.blocks.end());
        c.domains = static_cast<uint32_t>(c.blocks.size());
        c.leaves = detail::leaf_count(m_topo, c.nodes);
        m_out.push_back(std::move(c));
    }

    std::vector<Candidate> take() { return std::move(m_out); }

private:
    const topology::Topology& m_topo;
    const std::vector<bool>& m_available;
    size_t m_max;
    std::vector<Candidate> m_out;
};

uint32_t node_count(const Selection& sel, const Need& need) {
    return static_cast<uint32_t>(std::min<uint64_t>(sel.free, need.hi));
}

// Single blocks that hold `target` nodes, best fit first (fewest free nodes, partly used before
// whole, lower index).
void add_single_blocks(const ClusterState& state, Need need, uint32_t target, Builder& out) {
    const auto& order = state.order;
    size_t end = 0;
    while (end < order.size() && state.blocks[order[end]].free >= target) ++end;
    // `order` is most-free first: walk runs of equal free counts from the smallest, each run in order.
    size_t run_end = end;
    while (run_end > 0 && !out.full()) {
        size_t run_start = run_end - 1;
        uint32_t f = state.blocks[order[run_start]].free;
        while (run_start > 0 && state.blocks[order[run_start - 1]].free == f) --run_start;
        for (size_t i = run_start; i < run_end && !out.full(); ++i)
            out.add(Selection{{order[i]}, f}, node_count(Selection{{order[i]}, f}, need));
        run_end = run_start;
    }
}

struct Option {
    uint32_t blocks;
    uint64_t waste;
    uint32_t group;
    Selection sel;
};

// For every group at `level`: the fewest blocks inside it that hold `need` nodes (when at most
// `max_blocks`, 0 = no limit), the tightest such choice; best options first.
std::vector<Option> group_options(const topology::Topology& topo, const ClusterState& state,
                                  Level level, uint32_t need, uint32_t max_blocks) {
    std::vector<Option> options;
    auto sc = detail::scopes(topo, state, level);
    for (uint32_t g = 0; g + 1 < sc.offset.size(); ++g) {
        auto blocks = sc.of(g);
        uint32_t k = detail::fewest_blocks(blocks, state, need);
        if (k == 0 || (max_blocks && k > max_blocks)) continue;
        Selection sel = detail::choose_blocks(blocks, state, need, k);
        options.push_back(Option{k, sel.free - need, g, std::move(sel)});
    }
    std::sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
        if (a.blocks != b.blocks) return a.blocks < b.blocks;
        if (a.waste != b.waste) return a.waste < b.waste;
        return a.group < b.group;
    });
    return options;
}

// The largest node count in [lo, hi] that one block can hold, else lo.
uint32_t single_block_target(const ClusterState& state, Need need) {
    uint32_t largest = state.order.empty() ? 0 : state.blocks[state.order.front()].free;
    if (largest < need.lo) return need.lo;
    return std::min(largest, need.hi);
}

void prefer(const topology::Topology& topo, const ClusterState& state, Need need, Builder& out) {
    uint32_t target = single_block_target(state, need);
    uint32_t fewest = detail::fewest_blocks(state.order, state, target);
    if (fewest == 1) {
        add_single_blocks(state, need, target, out);
        if (out.full()) return;
        fewest = 2;  // then alternatives of two blocks, should cons_tres refuse every single one
    }
    // Fewest blocks first; among those, the narrowest scope (one leaf, one spine, one core, any).
    for (Level level : {Level::Leaf, Level::Spine, Level::Core}) {
        for (const auto& o : group_options(topo, state, level, target, fewest)) {
            if (o.blocks != fewest) continue;
            out.add(o.sel, node_count(o.sel, need));
            if (out.full()) return;
        }
    }
    uint32_t anywhere = detail::fewest_blocks(state.order, state, target);
    if (anywhere >= 2) {
        Selection sel = detail::choose_blocks(state.order, state, target, anywhere);
        out.add(sel, node_count(sel, need));
    }
}

void leaf_only(const topology::Topology& topo, const ClusterState& state, Need need, Builder& out) {
    uint32_t target = single_block_target(state, need);
    if (detail::fewest_blocks(state.order, state, target) == 1) add_single_blocks(state, need, target, out);
    for (const auto& o : group_options(topo, state, Level::Leaf, need.lo, 0)) {
        if (out.full()) return;
        out.add(o.sel, node_count(o.sel, need));
    }
}

}  // namespace

std::vector<Candidate> candidates(const topology::Topology& topo, const std::vector<bool>& available,
                                  const Request& request, size_t max_candidates) {
    Need need;
    need.lo = std::max<uint32_t>(1, request.min_nodes);
    need.hi = std::max(need.lo, request.max_nodes);
    Builder out(topo, available, std::max<size_t>(1, max_candidates));
    ClusterState state = detail::cluster_state(topo, available, request.usable);
    if (state.total_free < need.lo) return {};

    switch (request.policy) {
        case Policy::Any:
            out.add_everything();
            break;
        case Policy::Prefer:
            prefer(topo, state, need, out);
            break;
        case Policy::Block:
            if (detail::fewest_blocks(state.order, state, need.lo) == 1)
                add_single_blocks(state, need, single_block_target(state, need), out);
            break;
        case Policy::Leaf:
            leaf_only(topo, state, need, out);
            break;
    }
    return out.take();
}

}  // namespace ks::placement
