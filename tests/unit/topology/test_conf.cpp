#include <catch2/catch.hpp>

#include "topology/topology.h"

using namespace ks::topology;

TEST_CASE("tree form topology.conf gives each node its switch chain") {
    auto t = parse_topology_conf(R"(# a comment
SwitchName=s0 Nodes=n[1-3] LinkSpeed=100
switchname=s1 nodes=n[4-5]
SwitchName=spine Switches=s[0-1] \
   LinkSpeed=200
SwitchName=core Switches=spine
)", "topology.conf");
    REQUIRE(t.ok());
    REQUIRE(t->size() == 5);
    CHECK(t->find("n1")->tiers == std::vector<std::string>{"s0", "spine", "core"});
    CHECK(t->find("n5")->tiers == std::vector<std::string>{"s1", "spine", "core"});
    CHECK(t->find("n5")->domain.empty());
    CHECK(t->groups(Level::Leaf).size() == 2);
}

TEST_CASE("block form topology.conf gives domains") {
    auto t = parse_topology_conf("BlockName=b1 Nodes=n[1-4]\nBlockName=b2 Nodes=n[5-6]\nBlockSizes=2,4\n", "t");
    REQUIRE(t.ok());
    CHECK(t->find("n2")->domain == "b1");
    CHECK(t->find("n6")->domain == "b2");
    CHECK(t->blocks().size() == 2);
}

TEST_CASE("topology.conf errors name the line") {
    auto err = [](std::string_view text) {
        auto r = parse_topology_conf(text, "topo.conf");
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    CHECK_THAT(err("SwitchName=s1 Nodes=n1\nSwitchName=s2 Nodes=n1\n"), Catch::Contains("topo.conf:2: node 'n1' is under switches 's1' and 's2'"));
    CHECK_THAT(err("SwitchName=s1 Nodes=n1 Switches=s2\n"), Catch::Contains("both Nodes and Switches"));
    CHECK_THAT(err("SwitchName=s1 Switches=s9\n"), Catch::Contains("unknown switch 's9'"));
    CHECK_THAT(err("\n\nSwitchName=s1 Color=red\n"), Catch::Contains("topo.conf:3: unknown key 'Color'"));
    CHECK_THAT(err("Nodes=n1\n"), Catch::Contains("expected SwitchName="));
    CHECK_THAT(err("SwitchName=s1 Nodes=n[1-\n"), Catch::Contains("invalid hostlist"));
    CHECK_THAT(err("garbage\n"), Catch::Contains("expected Key=Value"));
    CHECK_THAT(err("SwitchName=a Switches=b\nSwitchName=b Switches=a\nSwitchName=c Nodes=n1\n"),
               Catch::Contains("switch loop through 'a'"));
    CHECK_THAT(err("SwitchName=a Nodes=n1\nSwitchName=b Switches=a\nSwitchName=c Switches=a\n"),
               Catch::Contains("switch 'a' has two parents ('b' and 'c')"));
    CHECK_THAT(err("BlockName=a Nodes=n1\nBlockName=b Nodes=n1\n"), Catch::Contains("in blocks 'a' and 'b'"));
}

TEST_CASE("block form of 23.11 (BlockLevels) reads back") {
    auto t = parse_topology_conf("BlockName=b1 Nodes=n[1-2]\nBlockName=b2 Nodes=n[3-4]\nBlockLevels=0\n", "t");
    REQUIRE(t.ok());
    CHECK(t->blocks().size() == 2);
}
