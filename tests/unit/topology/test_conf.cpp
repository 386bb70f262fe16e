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

TEST_CASE("tree writer: domains under leaves under spines, one root, round trip of tiers") {
    auto t = Topology::build({{"n1", "d1", {"leaf1", "sp"}}, {"n2", "d1", {"leaf1", "sp"}},
                              {"n3", "d2", {"leaf2", "sp"}}, {"n4", "", {"leaf2", "sp"}},
                              {"n5", "", {}}});
    REQUIRE(t.ok());
    std::string conf = to_topology_conf(*t, ConfFormat::Tree);
    CHECK_THAT(conf, Catch::Contains("SwitchName=d1 Nodes=n[1-2]\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf1 Switches=d1\n"));
    // leaf2 holds a domain switch and a bare node: the node moves to a switch of its own.
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf2-nodes Nodes=n4\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf2 Switches=d2,leaf2-nodes\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=unplaced Nodes=n5\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=root Switches=sp,unplaced\n"));

    auto back = parse_topology_conf(conf, "generated");
    REQUIRE(back.ok());
    REQUIRE(back->size() == 5);
    // Every pair of nodes that shared a leaf still shares one switch group at some level.
    CHECK(back->find("n1")->tiers[0] == "d1");
    CHECK(back->group_of(0, Level::Spine) == back->group_of(1, Level::Spine));
}

TEST_CASE("tree writer keeps switch names unique across levels") {
    auto t = Topology::build({{"n1", "x", {"x"}}, {"n2", "y", {"x"}}});
    REQUIRE(t.ok());
    std::string conf = to_topology_conf(*t, ConfFormat::Tree);
    CHECK_THAT(conf, Catch::Contains("SwitchName=x Nodes=n1\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf-x Switches=x,y\n"));
    CHECK(parse_topology_conf(conf, "g").ok());
}

TEST_CASE("block writer: one block per domain, singletons for bare nodes, BlockSizes") {
    auto t = Topology::build({{"n1", "d1", {}}, {"n2", "d1", {}}, {"n3", "d1", {}},
                              {"n4", "d2", {}}, {"n5", "d2", {}}});
    REQUIRE(t.ok());
    std::string conf = to_topology_conf(*t, ConfFormat::Block);
    CHECK_THAT(conf, Catch::Contains("BlockName=d1 Nodes=n[1-3]\nBlockName=d2 Nodes=n[4-5]\nBlockSizes=2\n"));
    CHECK_THAT(conf, Catch::StartsWith("# Slurm topology.conf (block form)"));
    auto back = parse_topology_conf(conf, "g");
    REQUIRE(back.ok());
    CHECK(*back == *t);
}

TEST_CASE("a topology without any levels becomes one root switch") {
    auto t = Topology::build({{"a1", "", {}}, {"a2", "", {}}});
    REQUIRE(t.ok());
    CHECK_THAT(to_topology_conf(*t, ConfFormat::Tree), Catch::EndsWith("SwitchName=root Nodes=a[1-2]\n"));
}

TEST_CASE("conf format names") {
    CHECK(*parse_conf_format("Block") == ConfFormat::Block);
    CHECK(*parse_conf_format("tree") == ConfFormat::Tree);
    CHECK_FALSE(parse_conf_format("yaml").ok());
}
