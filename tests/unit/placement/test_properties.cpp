// Property tests over random topologies and random busy sets (fixed seeds: reproducible).
#include <catch2/catch.hpp>

#include <set>

#include "fixtures.h"
#include "placement/placement.h"

using namespace ks;
using namespace ks::placement;

namespace {

struct Case {
    topology::Topology topo;
    std::vector<bool> avail;
    Request request;
};

Case random_case(std::mt19937& rng) {
    Case c{fixtures::random_topology(rng, 20 + rng() % 180), {}, {}};
    std::bernoulli_distribution busy(0.1 + 0.6 * (rng() % 100) / 100.0);
    c.avail.resize(c.topo.size());
    for (size_t i = 0; i < c.avail.size(); ++i) c.avail[i] = !busy(rng);
    c.request.min_nodes = 1 + rng() % 40;
    c.request.max_nodes = rng() % 3 == 0 ? c.request.min_nodes + rng() % 10 : 0;
    c.request.policy = static_cast<Policy>(rng() % 4);
    return c;
}

// The fewest blocks the available nodes allow for `n` nodes.
uint32_t fewest_available(const topology::Topology& t, const std::vector<bool>& avail, uint32_t n) {
    return minimum_domains(t, &avail, n).value_or(0);
}

}  // namespace

TEST_CASE("placement properties hold on 2,000 random cases") {
    std::mt19937 rng(20261122);
    for (int iter = 0; iter < 2000; ++iter) {
        Case k = random_case(rng);
        const auto& t = k.topo;
        const Request& r = k.request;
        uint32_t lo = r.min_nodes, hi = std::max(r.min_nodes, r.max_nodes);
        uint32_t free_nodes = static_cast<uint32_t>(std::count(k.avail.begin(), k.avail.end(), true));
        auto result = candidates(t, k.avail, r);
        INFO("iteration " << iter << " policy " << to_string(r.policy) << " min " << lo << " max " << hi
                          << " free " << free_nodes << " nodes " << t.size());

        // Deterministic.
        auto again = candidates(t, k.avail, r);
        REQUIRE(again.size() == result.size());
        for (size_t i = 0; i < result.size(); ++i) REQUIRE(again[i].nodes == result[i].nodes);

        // Feasible jobs under the non-strict policies always get a candidate.
        if (free_nodes >= lo && (r.policy == Policy::Any || r.policy == Policy::Prefer)) REQUIRE(!result.empty());
        if (free_nodes < lo) REQUIRE(result.empty());
        REQUIRE(result.size() <= kDefaultMaxCandidates);

        for (const auto& c : result) {
            // Never fewer nodes than asked; never a busy node; never more than max (except any).
            REQUIRE(c.nodes.size() >= lo);
            if (r.policy != Policy::Any) REQUIRE(c.nodes.size() <= hi);
            std::set<uint32_t> blocks, leaves;
            for (uint32_t i : c.nodes) {
                REQUIRE(i < t.size());
                REQUIRE(k.avail[i]);
                blocks.insert(t.block_of(i));
                leaves.insert(t.group_of(i, topology::Level::Leaf));
            }
            REQUIRE(std::is_sorted(c.nodes.begin(), c.nodes.end()));
            REQUIRE(c.domains == blocks.size());
            REQUIRE(c.leaves == leaves.size());
            REQUIRE(std::vector<uint32_t>(blocks.begin(), blocks.end()) == c.blocks);
            // Strict policies never cross.
            if (r.policy == Policy::Block) REQUIRE(c.domains == 1);
            if (r.policy == Policy::Leaf) REQUIRE(c.leaves == 1);
        }
        // Prefer: the first candidate spans no more blocks than the available nodes allow.
        if (r.policy == Policy::Prefer && !result.empty()) REQUIRE(result[0].domains == fewest_available(t, k.avail, lo));
        // Block: a candidate exists exactly when one block has enough free nodes.
        if (r.policy == Policy::Block) REQUIRE(result.empty() == (fewest_available(t, k.avail, lo) != 1));
        // Strict policies that cannot place explain why.
        if ((r.policy == Policy::Block || r.policy == Policy::Leaf) && result.empty())
            REQUIRE_THAT(pending_reason(t, k.avail, r), Catch::StartsWith("kubeslurm: "));
    }
}

TEST_CASE("leaf policy finds a leaf whenever one holds enough free nodes") {
    std::mt19937 rng(7);
    for (int iter = 0; iter < 500; ++iter) {
        Case k = random_case(rng);
        k.request.policy = Policy::Leaf;
        const auto& t = k.topo;
        std::vector<uint32_t> per_leaf(t.groups(topology::Level::Leaf).size(), 0);
        for (uint32_t i = 0; i < t.size(); ++i) per_leaf[t.group_of(i, topology::Level::Leaf)] += k.avail[i];
        bool fits = *std::max_element(per_leaf.begin(), per_leaf.end()) >= k.request.min_nodes;
        INFO("iteration " << iter);
        REQUIRE(candidates(t, k.avail, k.request).empty() == !fits);
    }
}
