// The node updates that move nodes between blocks and leaves in a running slurmctld (25.05+).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "topology/live_moves.h"

using namespace ks::topology;

namespace Catch {
template <>
struct StringMaker<NodeMove> {
    static std::string convert(const NodeMove& m) { return m.node + " -> " + m.topology; }
};
}  // namespace Catch

namespace {

// rack1 = n1-n4 and rack2 = n5-n8 under leaf1, rack3 = n9-n12 under leaf2, all under spine1. The
// tree written has a switch per rack under its leaf (and LEAF-nodes for nodes without a rack).
std::vector<Node> racks() {
    std::vector<Node> nodes;
    for (int i = 1; i <= 12; i++) {
        int rack = (i - 1) / 4 + 1;
        nodes.push_back({"n" + std::to_string(i), "rack" + std::to_string(rack),
                         {rack < 3 ? "leaf1" : "leaf2", "spine1"}});
    }
    return nodes;
}

Topology build(std::vector<Node> nodes) { return Topology::build(std::move(nodes)).value(); }

ConfOptions for_slurm(int major, int minor) {
    ConfOptions o;
    o.format = ConfFormat::Yaml;
    o.slurm = SlurmVersion{major, minor};
    return o;
}

}  // namespace

TEST_CASE("an unchanged topology moves nothing") {
    auto moves = live_block_moves(build(racks()), build(racks()), for_slurm(25, 11));
    REQUIRE(moves);
    CHECK(moves->moves.empty());
    CHECK(moves->new_blocks.empty());
}

TEST_CASE("a node relabelled into another rack moves there, naming its block and its leaf") {
    auto next = racks();
    next[3].domain = "rack3";  // n4 now in rack3, under leaf2
    next[3].tiers = {"leaf2", "spine1"};
    auto moves = live_block_moves(build(racks()), build(next), for_slurm(25, 11));
    REQUIRE(moves);
    REQUIRE(moves->moves.size() == 1);
    CHECK(moves->moves[0] == NodeMove{"n4", "block:rack3,tree:spine1:leaf2:rack3"});
}

TEST_CASE("a node whose domain label is gone leaves every block and keeps its leaf") {
    auto next = racks();
    next[0].domain = "";
    auto moves = live_block_moves(build(racks()), build(next), for_slurm(25, 5));
    REQUIRE(moves);
    REQUIRE(moves->moves.size() == 1);
    CHECK(moves->moves[0] == NodeMove{"n1", "tree:spine1:leaf1:leaf1-nodes"});
}

TEST_CASE("a block slurmctld does not have waits for a reconfigure") {
    auto next = racks();
    next[4].domain = "rack9";  // n5 into a rack that is new to slurmctld
    auto moves = live_block_moves(build(racks()), build(next), for_slurm(25, 11));
    REQUIRE(moves);
    CHECK(moves->moves.empty());
    CHECK(moves->new_blocks == std::vector<std::string>{"rack9"});
}

TEST_CASE("nodes gone from Kubernetes are left alone; new nodes join known blocks") {
    auto next = racks();
    next.erase(next.begin());                                  // n1 gone
    next.push_back({"n13", "rack2", {"leaf1", "spine1"}});     // a new node in rack2
    auto moves = live_block_moves(build(racks()), build(next), for_slurm(25, 11));
    REQUIRE(moves);
    REQUIRE(moves->moves.size() == 1);
    CHECK(moves->moves[0] == NodeMove{"n13", "block:rack2,tree:spine1:leaf1:rack2"});
}

TEST_CASE("live moves need Slurm 25.05") {
    auto moves = live_block_moves(build(racks()), build(racks()), for_slurm(24, 11));
    REQUIRE_FALSE(moves);
    CHECK(moves.error().find("25.05") != std::string::npos);
}
