#include <catch2/catch.hpp>

#include "topology/render.h"

using namespace ks::topology;

namespace {

Topology sample() {
    return Topology::build({{"n1", "d0", {"leafA", "sp"}}, {"n2", "d0", {"leafA", "sp"}},
                            {"n3", "d1", {"leafA", "sp"}}, {"n4", "", {"leafB", "sp"}},
                            {"n5", "", {"leafB", "sp"}}, {"n6", "", {}}})
        .value();
}

}  // namespace

TEST_CASE("render_tree draws spine > leaf > domain rows with counts") {
    auto t = sample();
    std::vector<NodeUse> use{NodeUse::Allocated, NodeUse::Free, NodeUse::Drained,
                             NodeUse::Free, NodeUse::Free, NodeUse::Unknown};
    std::string out = render_tree(t, &use);
    const std::string expected =
        "topology " + t.hash() + ": 6 nodes, 2 NVLink domains, 2 leaf switches\n"
        "GROUP          NODES   COUNT  FREE ALLOC DRAIN\n"
        "spine sp       n[1-5]      5     3     1     1\n"
        "  leaf leafA   n[1-3]      3     1     1     1\n"
        "    domain d0  n[1-2]      2     1     1     0\n"
        "    domain d1  n3          1     0     0     1\n"
        "  leaf leafB   n[4-5]      2     2     0     0\n"
        "    no domain  n[4-5]      2     2     0     0\n"
        "no topology    n6          1     0     0     0\n"
        "1 node(s) of the topology unknown to Slurm: n6\n";
    CHECK(out == expected);
}

TEST_CASE("render_tree without Slurm state shows only node counts") {
    std::string out = render_tree(sample(), nullptr);
    CHECK_THAT(out, Catch::Contains("GROUP          NODES   COUNT\n"));
    CHECK_THAT(out, Catch::Contains("    domain d0  n[1-2]      2\n"));
    CHECK_THAT(out, !Catch::Contains("FREE"));
}

TEST_CASE("render_tree of domains without switches") {
    auto t = Topology::build({{"a1", "r1", {}}, {"a2", "r1", {}}, {"a3", "r2", {}}}).value();
    std::string out = render_tree(t, nullptr);
    CHECK_THAT(out, Catch::Contains("\ndomain r1  a[1-2]"));
    CHECK_THAT(out, Catch::Contains("\ndomain r2  a3"));
}
