#include <catch2/catch.hpp>

#include "topology/natural_order.h"
#include "topology/topology.h"

using namespace ks::topology;

TEST_CASE("natural order compares digit runs as numbers") {
    CHECK(natural_less("n2", "n10"));
    CHECK_FALSE(natural_less("n10", "n2"));
    CHECK(natural_less("a", "b"));
    CHECK(natural_less("n1", "n1a"));
    CHECK_FALSE(natural_less("n1", "n1"));
    CHECK(natural_less("rack2-n9", "rack10-n1"));
}

TEST_CASE("build indexes nodes by name in natural order") {
    auto t = Topology::build({{"n10", "d2", {"l1"}}, {"n2", "d1", {"l1"}}, {"n3", "", {}}});
    REQUIRE(t.ok());
    REQUIRE(t->size() == 3);
    CHECK(t->nodes()[0].name == "n2");
    CHECK(t->nodes()[2].name == "n10");
    CHECK(t->index_of("n10") == 2);
    CHECK(t->index_of("nope") == -1);
    REQUIRE(t->find("n3") != nullptr);
    CHECK(t->find("n3")->domain.empty());
    CHECK(t->has_domains());
    CHECK(t->has_tiers());
}

TEST_CASE("every node belongs to one group per level; missing levels inherit") {
    auto t = Topology::build({{"n1", "d1", {"leafA", "spine1"}},
                              {"n2", "d1", {"leafA", "spine1"}},
                              {"n3", "d2", {"leafB", "spine1"}},
                              {"n4", "", {"leafB"}},
                              {"n5", "", {}}});
    REQUIRE(t.ok());
    const auto& blocks = t->blocks();
    REQUIRE(blocks.size() == 4);  // d1, d2, n4, n5
    CHECK(blocks[0].name == "d1");
    CHECK(blocks[0].members == std::vector<uint32_t>{0, 1});
    CHECK(blocks[2].name == "n4");
    CHECK(t->block_of(4) == 3);
    const auto& leaves = t->groups(Level::Leaf);
    REQUIRE(leaves.size() == 3);  // leafA, leafB, n5 (own block)
    CHECK(leaves[1].name == "leafB");
    CHECK(leaves[1].members == std::vector<uint32_t>{2, 3});
    CHECK(leaves[2].name == "n5");
    // n4 has no spine: its spine group is its leaf group, distinct from spine1.
    CHECK(t->group_of(3, Level::Spine) != t->group_of(0, Level::Spine));
    CHECK(t->group_of(2, Level::Spine) == t->group_of(0, Level::Spine));
    CHECK(t->block_parent(1, Level::Leaf) == t->group_of(2, Level::Leaf));
}

TEST_CASE("a domain and a switch with the same ID stay different groups") {
    auto t = Topology::build({{"n1", "x", {"x"}}, {"n2", "", {"x"}}});
    REQUIRE(t.ok());
    CHECK(t->blocks().size() == 2);
    CHECK(t->groups(Level::Leaf).size() == 1);
}

TEST_CASE("build rejects bad node lists with clear errors") {
    auto dup = Topology::build({{"n1", "", {}}, {"n1", "d", {}}});
    REQUIRE_FALSE(dup.ok());
    CHECK_THAT(dup.error(), Catch::Contains("duplicate node 'n1'"));
    auto empty = Topology::build({{"", "", {}}});
    REQUIRE_FALSE(empty.ok());
    CHECK_THAT(empty.error(), Catch::Contains("empty name"));
    auto deep = Topology::build({{"n1", "", {"a", "b", "c", "d"}}});
    REQUIRE_FALSE(deep.ok());
    CHECK_THAT(deep.error(), Catch::Contains("at most 3"));
}

TEST_CASE("content hash depends on content, not on input order") {
    auto a = Topology::build({{"n1", "d1", {"l"}}, {"n2", "d1", {"l"}}});
    auto b = Topology::build({{"n2", "d1", {"l"}}, {"n1", "d1", {"l", ""}}});
    auto c = Topology::build({{"n1", "d1", {"l"}}, {"n2", "d2", {"l"}}});
    REQUIRE((a.ok() && b.ok() && c.ok()));
    CHECK(a->hash().size() == 16);
    CHECK(a->hash() == b->hash());
    CHECK(*a == *b);
    CHECK(a->hash() != c->hash());
}

TEST_CASE("level names read well in messages") {
    CHECK(level_name(Level::Block) == "NVLink domain");
    CHECK(level_name(Level::Leaf) == "leaf switch");
}
