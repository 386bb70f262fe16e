// soonest_minimum_span(): the fewest domains where a job could start soonest, which backfill
// compares with its earliest start anywhere when nothing waits (TopologyMaxWait=0).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "fixtures.h"
#include "placement/placement.h"

using namespace ks;
using namespace ks::placement;

namespace {

// d0=18, d1=16 on leafA; d2=12, d3=8 on leafB.
topology::Topology four_domains() {
    return fixtures::make({{18, "leafA", "spine"}, {16, "leafA", "spine"}, {12, "leafB", "spine"}, {8, "leafB", "spine"}});
}

// Every node free but the given count of busy nodes per domain (lowest indexes first).
std::vector<bool> free_but(const topology::Topology& t, const std::vector<uint32_t>& busy) {
    auto free_now = fixtures::all(t);
    for (uint32_t b = 0; b < busy.size(); ++b) fixtures::occupy(t, free_now, b, busy[b]);
    return free_now;
}

uint32_t free_in(const topology::Topology& t, const std::vector<bool>& free_now, uint32_t block) {
    uint32_t n = 0;
    for (uint32_t i : t.blocks()[block].members) n += free_now[i];
    return n;
}

}  // namespace

TEST_CASE("soonest minimum span: the domain with the most free nodes, holding all its usable nodes") {
    auto t = four_domains();
    auto usable = fixtures::all(t);
    auto free_now = free_but(t, {12, 7, 4, 8});  // free: d0 6, d1 9, d2 8, d3 0 (too small anyway)

    auto target = soonest_minimum_span(t, usable, free_now, Request{10, 0, Policy::Prefer});
    REQUIRE(target);
    CHECK(target->blocks == std::vector<uint32_t>{1});
    CHECK(target->domains == 1);
    CHECK(target->nodes == t.blocks()[1].members);  // busy ones too: Slurm plans on their end

    // 17 nodes fit only d0 however few of its nodes are free.
    auto big = soonest_minimum_span(t, usable, free_now, Request{17, 0, Policy::Prefer});
    REQUIRE(big);
    CHECK(big->blocks == std::vector<uint32_t>{0});
}

TEST_CASE("soonest minimum span: equal free counts go to the tighter domain") {
    auto t = four_domains();
    auto usable = fixtures::all(t);
    auto free_now = free_but(t, {10, 8, 4});  // 8 free in each of d0 (18), d1 (16), d2 (12)
    auto target = soonest_minimum_span(t, usable, free_now, Request{12, 0, Policy::Prefer});
    REQUIRE(target);
    CHECK(target->blocks == std::vector<uint32_t>{2});
}

TEST_CASE("soonest minimum span: a larger job waits for its fewest domains, under one leaf when possible") {
    auto t = four_domains();
    auto usable = fixtures::all(t);
    auto free_now = free_but(t, {18});  // leafA: d0 0 free, d1 16 free
    // 20 nodes need 2 domains. leafB's pair (12 + 8, all free) is under one leaf; d1 + d2 would
    // have more free nodes (28) but cross leaves.
    auto target = soonest_minimum_span(t, usable, free_now, Request{20, 0, Policy::Prefer});
    REQUIRE(target);
    CHECK(target->blocks == std::vector<uint32_t>{2, 3});
    CHECK(target->leaves == 1);

    // 30 nodes: only leafA holds them in 2 domains.
    auto wide = soonest_minimum_span(t, usable, free_now, Request{30, 0, Policy::Prefer});
    REQUIRE(wide);
    CHECK(wide->blocks == std::vector<uint32_t>{0, 1});
    CHECK(wide->nodes.size() == 34);

    // 36 nodes need 3 domains; the most free: d1 (16) + d2 (12) + d3 (8), across leaves.
    auto three = soonest_minimum_span(t, usable, free_now, Request{36, 0, Policy::Prefer});
    REQUIRE(three);
    CHECK(three->domains == 3);
    CHECK(three->blocks == std::vector<uint32_t>{1, 2, 3});
}

TEST_CASE("soonest minimum span: drained nodes do not count, and an impossible job has none") {
    auto t = four_domains();
    auto usable = fixtures::all(t);
    auto free_now = fixtures::all(t);
    fixtures::occupy(t, usable, 0, 3);  // d0: 15 usable
    fixtures::occupy(t, free_now, 0, 3);
    auto target = soonest_minimum_span(t, usable, free_now, Request{17, 0, Policy::Prefer});
    REQUIRE(target);
    CHECK(target->domains == 2);  // no single domain has 17 usable nodes any more
    for (uint32_t i : target->nodes) CHECK(usable[i]);
    CHECK_FALSE(soonest_minimum_span(t, usable, free_now, Request{52, 0, Policy::Prefer}));
}

TEST_CASE("soonest minimum span properties hold on 1,000 random cases") {
    std::mt19937 rng(20261126);
    for (int iter = 0; iter < 1000; ++iter) {
        auto t = fixtures::random_topology(rng, 20 + rng() % 180);
        std::bernoulli_distribution drained(0.05), busy(0.2 + 0.6 * (rng() % 100) / 100.0);
        std::vector<bool> usable(t.size()), free_now(t.size());
        for (size_t i = 0; i < t.size(); ++i) {
            usable[i] = !drained(rng);
            free_now[i] = usable[i] && !busy(rng);
        }
        Request r{1 + uint32_t(rng() % 40), 0, Policy::Prefer};
        INFO("iteration " << iter << " nodes " << t.size() << " need " << r.min_nodes);
        auto minimum = minimum_domains(t, &usable, r.min_nodes);
        auto target = soonest_minimum_span(t, usable, free_now, r);
        REQUIRE(bool(target) == bool(minimum));
        if (!target) continue;

        // The fewest domains, only usable nodes, enough of them, and deterministic.
        REQUIRE(target->domains == *minimum);
        REQUIRE(target->nodes.size() >= r.min_nodes);
        std::set<uint32_t> blocks;
        for (uint32_t i : target->nodes) {
            REQUIRE(usable[i]);
            blocks.insert(t.block_of(i));
        }
        REQUIRE(std::vector<uint32_t>(blocks.begin(), blocks.end()) == target->blocks);
        REQUIRE(soonest_minimum_span(t, usable, free_now, r)->nodes == target->nodes);

        // One domain: none that could hold the job has more free nodes now.
        if (*minimum == 1) {
            uint32_t chosen = free_in(t, free_now, target->blocks[0]);
            for (uint32_t b = 0; b < t.blocks().size(); ++b) {
                uint32_t cap = 0;
                for (uint32_t i : t.blocks()[b].members) cap += usable[i];
                if (cap >= r.min_nodes) REQUIRE(free_in(t, free_now, b) <= chosen);
            }
        }
    }
}
