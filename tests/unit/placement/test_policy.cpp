#include <catch2/catch.hpp>

#include <set>

#include "fixtures.h"
#include "placement/placement.h"

using namespace ks;
using namespace ks::placement;
using fixtures::DomainSpec;

namespace {

std::set<uint32_t> blocks_of(const topology::Topology& t, const Candidate& c) {
    std::set<uint32_t> b;
    for (uint32_t i : c.nodes) b.insert(t.block_of(i));
    return b;
}

// 4 domains of unequal size under 2 leaves: d0=18, d1=16 on leafA; d2=12, d3=8 on leafB.
topology::Topology four_domains() {
    return fixtures::make({{18, "leafA", "spine"}, {16, "leafA", "spine"}, {12, "leafB", "spine"}, {8, "leafB", "spine"}});
}

}  // namespace

TEST_CASE("policy names parse case-insensitively and print back") {
    for (auto p : {Policy::Any, Policy::Prefer, Policy::Block, Policy::Leaf}) CHECK(*parse_policy(to_string(p)) == p);
    CHECK(*parse_policy(" Block ") == Policy::Block);
    auto bad = parse_policy("best");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error(), Catch::Contains("unknown topology policy 'best'"));
}

TEST_CASE("prefer: a job that fits one domain goes to the best-fit domain") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{10, 0, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].nodes.size() == 10);
    CHECK(c[0].domains == 1);
    CHECK(c[0].blocks == std::vector<uint32_t>{2});  // d2 (12 free) is the tightest fit
    // Alternatives follow in best-fit order: d1 (16), then d0 (18).
    REQUIRE(c.size() >= 3);
    CHECK(c[1].blocks == std::vector<uint32_t>{1});
    CHECK(c[2].blocks == std::vector<uint32_t>{0});

    // Once d2 is partly used the 8-node job goes to the fragmented d2 only if it still fits best.
    fixtures::occupy(t, avail, 2, 3);  // d2 now has 9 free
    auto c8 = candidates(t, avail, Request{8, 0, Policy::Prefer});
    CHECK(c8[0].blocks == std::vector<uint32_t>{3});  // d3: exactly 8 free
    auto c9 = candidates(t, avail, Request{9, 0, Policy::Prefer});
    CHECK(c9[0].blocks == std::vector<uint32_t>{2});
}

TEST_CASE("prefer: equal free counts go to the partly used domain, keeping whole ones whole") {
    auto t = fixtures::make({{12, "l"}, {10, "l"}});
    auto avail = fixtures::all(t);
    fixtures::occupy(t, avail, 0, 2);  // d0: 10 free of 12; d1: 10 free, whole
    auto c = candidates(t, avail, Request{4, 0, Policy::Prefer});
    CHECK(c[0].blocks == std::vector<uint32_t>{0});
}

TEST_CASE("prefer: 1.5 domains span exactly 2 domains under one leaf") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{27, 0, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].nodes.size() == 27);
    CHECK(c[0].domains == 2);
    CHECK(c[0].leaves == 1);
    CHECK(c[0].blocks == std::vector<uint32_t>{0, 1});  // leafA: 18 + 16

    // 20 nodes: the tightest pair is 12 + 8 on leafB, which leaves leafA's big domains whole.
    auto c20 = candidates(t, avail, Request{20, 0, Policy::Prefer});
    CHECK(c20[0].blocks == std::vector<uint32_t>{2, 3});
    CHECK(c20[0].leaves == 1);
}

TEST_CASE("prefer: fewest domains beats staying under one leaf") {
    // leafA: 10 + 10; leafB: 18 + 2. A 20-node job fits 2 domains under either leaf, a
    // 21-node job needs 3 on leafA but 2 across leaves (18 + 10 + ...): fewest domains wins.
    auto t = fixtures::make({{10, "leafA", "sp"}, {10, "leafA", "sp"}, {18, "leafB", "sp"}, {2, "leafB", "sp"}});
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{21, 0, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].domains == 2);
    CHECK(c[0].leaves == 2);  // no single leaf holds 21 nodes in 2 domains: one spine does
}

TEST_CASE("prefer: one leaf beats a tighter pair across leaves when both take 2 domains") {
    // leafA: d0=18, d1=5; leafB: d2=14. 19 nodes: 14 + 5 is tighter but crosses leaves.
    auto t = fixtures::make({{18, "leafA"}, {5, "leafA"}, {14, "leafB"}});
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{19, 0, Policy::Prefer});
    REQUIRE(c.size() == 2);
    CHECK(c[0].blocks == std::vector<uint32_t>{0, 1});
    CHECK(c[0].leaves == 1);
    CHECK(c[1].blocks == std::vector<uint32_t>{1, 2});  // fallback: anywhere, tightest
}

TEST_CASE("prefer: whole domains first, the remainder into the best-fitting one") {
    auto t = fixtures::make({{18, "l"}, {18, "l"}, {18, "l"}, {18, "l"}});
    auto avail = fixtures::all(t);
    fixtures::occupy(t, avail, 3, 13);  // d3: 5 free
    auto c = candidates(t, avail, Request{40, 0, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].domains == 3);
    CHECK(c[0].nodes.size() == 40);
    CHECK(blocks_of(t, c[0]).count(3) == 1);  // 18 + 18 + 4 of the fragmented 5
}

TEST_CASE("prefer: min-max node counts take the most nodes that fit one domain") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{4, 14, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].nodes.size() == 14);
    CHECK(c[0].blocks == std::vector<uint32_t>{1});  // 16 free: best fit for 14
    auto big = candidates(t, avail, Request{4, 40, Policy::Prefer});
    CHECK(big[0].nodes.size() == 18);
    CHECK(big[0].domains == 1);
}

TEST_CASE("prefer: not enough free nodes gives no candidate") {
    auto t = four_domains();
    std::vector<bool> avail(t.size(), false);
    avail[0] = avail[1] = true;
    CHECK(candidates(t, avail, Request{3, 0, Policy::Prefer}).empty());
    CHECK(candidates(t, avail, Request{2, 0, Policy::Prefer}).size() == 1);
    // A short `available` vector counts the missing entries as busy.
    CHECK(candidates(t, std::vector<bool>{true}, Request{2, 0, Policy::Prefer}).empty());
}

TEST_CASE("any: one candidate with every available node") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    avail[5] = false;
    auto c = candidates(t, avail, Request{3, 0, Policy::Any});
    REQUIRE(c.size() == 1);
    CHECK(c[0].nodes.size() == t.size() - 1);
    CHECK(c[0].domains == 4);
}

TEST_CASE("block: only single domains, else pend with a reason") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    fixtures::occupy(t, avail, 0, 1);  // d0: 17 free
    Request r{18, 0, Policy::Block};
    CHECK(candidates(t, avail, r).empty());
    CHECK(pending_reason(t, avail, r) == "kubeslurm: waiting for one NVLink domain with 18 free nodes");
    Request r16{16, 0, Policy::Block};
    auto c = candidates(t, avail, r16);
    REQUIRE(c.size() == 2);
    CHECK(c[0].blocks == std::vector<uint32_t>{1});
    CHECK(c[1].blocks == std::vector<uint32_t>{0});
    CHECK(pending_reason(t, avail, r16).empty());
    Request huge{19, 0, Policy::Block};
    CHECK(pending_reason(t, avail, huge) == "kubeslurm: no NVLink domain has 19 usable nodes (largest 18)");
    CHECK(pending_reason(t, avail, Request{40, 0, Policy::Prefer}).empty());
}

TEST_CASE("leaf: fewest domains inside one leaf, never across leaves") {
    auto t = four_domains();
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{30, 0, Policy::Leaf});
    REQUIRE(!c.empty());
    for (const auto& cand : c) CHECK(cand.leaves == 1);
    CHECK(c[0].blocks == std::vector<uint32_t>{0, 1});
    Request too_big{35, 0, Policy::Leaf};
    CHECK(candidates(t, avail, too_big).empty());
    CHECK(pending_reason(t, avail, too_big) == "kubeslurm: no leaf switch has 35 usable nodes (largest 34)");
    fixtures::occupy(t, avail, 0, 5);
    CHECK(pending_reason(t, avail, Request{30, 0, Policy::Leaf}) ==
          "kubeslurm: waiting for one leaf switch with 30 free nodes");
}

TEST_CASE("usable nodes tell whole domains from partly used ones") {
    auto t = fixtures::make({{12, "l"}, {10, "l"}});
    std::vector<bool> usable(t.size(), true);
    for (uint32_t i = 0; i < 2; ++i) usable[i] = false;  // d0: two nodes drained
    auto avail = usable;
    fixtures::occupy(t, avail, 1, 0);
    // d0 has 10 free of 10 usable (whole), d1 10 of 10 (whole): tie broken by index.
    Request r{4, 0, Policy::Prefer, &usable};
    CHECK(candidates(t, avail, r)[0].blocks == std::vector<uint32_t>{0});
    CHECK(minimum_domains(t, &usable, 11) == 2u);
    CHECK(minimum_domains(t, nullptr, 11) == 1u);
    CHECK(minimum_domains(t, nullptr, 23) == std::nullopt);
    CHECK(minimum_domains(t, nullptr, 0) == 0u);
}

TEST_CASE("span_of names the domains and leaves of a node set") {
    auto t = four_domains();
    auto s = placement::span_of(t, {"n1", "n19", "n2", "ghost"});
    CHECK(s.domains == std::vector<std::string>{"d0", "d1"});
    CHECK(s.leaves == std::vector<std::string>{"leafA"});
    CHECK(s.unknown == std::vector<std::string>{"ghost"});
}

TEST_CASE("nodes without topology are blocks of their own") {
    auto t = topology::Topology::build({{"a", "", {}}, {"b", "", {}}, {"c", "", {}}}).value();
    auto avail = fixtures::all(t);
    auto c = candidates(t, avail, Request{2, 0, Policy::Prefer});
    REQUIRE(!c.empty());
    CHECK(c[0].domains == 2);
    CHECK(candidates(t, avail, Request{2, 0, Policy::Block}).empty());
    CHECK(candidates(t, avail, Request{1, 0, Policy::Block}).size() == 3);
}
