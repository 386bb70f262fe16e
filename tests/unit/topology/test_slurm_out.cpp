// Slurm topology files for every form and release line: tree, block (23.11 / 24.x / 25.05+),
// topology.yaml; unequal domains, nodes without a domain, hostile names.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>

#include "common/config.h"
#include "common/hostlist.h"
#include "common/strings.h"
#include "topology/slurm_out.h"
#include "topology/topology.h"

using namespace ks::topology;
using ks::topology::slurm_out::is_safe_name;
using ks::topology::slurm_out::safe_name;
using ks::topology::slurm_out::yaml_quoted;

namespace {

SlurmVersion v(const char* text) { return *SlurmVersion::parse(text); }

ConfText write(const Topology& t, ConfFormat format, const char* slurm, uint32_t block_size = 0,
               std::string path = "-") {
    ConfOptions o;
    o.format = format;
    o.slurm = v(slurm);
    o.block_size = block_size;
    o.path = std::move(path);
    auto r = to_slurm_topology(t, o);
    INFO((r.ok() ? std::string() : r.error()));
    REQUIRE(r.ok());
    return *r;
}

std::string write_error(const Topology& t, ConfFormat format, const char* slurm, std::string path = "-") {
    ConfOptions o;
    o.format = format;
    o.slurm = v(slurm);
    o.path = std::move(path);
    auto r = to_slurm_topology(t, o);
    REQUIRE_FALSE(r.ok());
    return r.error();
}

// The file without its comment header.
std::string body(const std::string& text) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("#", 0) != 0) out += line + "\n";
    return out;
}

Topology build(std::vector<Node> nodes) {
    auto t = Topology::build(std::move(nodes));
    REQUIRE(t.ok());
    return *t;
}

// d1 = 4 nodes, d2 = 4, d3 = 8, d4 = 3, d5 = 6, n26 without a domain: the most common size is 4.
Topology unequal() {
    std::vector<Node> nodes;
    auto add = [&](int from, int to, const std::string& domain) {
        for (int i = from; i <= to; ++i) nodes.push_back({"n" + std::to_string(i), domain, {}});
    };
    add(1, 4, "d1");
    add(5, 8, "d2");
    add(9, 16, "d3");
    add(17, 19, "d4");
    add(20, 25, "d5");
    add(26, 26, "");
    return build(nodes);
}

std::map<std::string, std::vector<std::string>> blocks_of(const std::string& conf) {
    auto back = parse_topology_conf(conf, "generated");
    REQUIRE(back.ok());
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& n : back->nodes()) out[n.domain].push_back(n.name);
    return out;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& text) {
    for (const auto& w : warnings)
        if (w.find(text) != std::string::npos) return true;
    return false;
}

// Every line of a topology.conf is a comment or one record of known keys with safe values.
void check_conf_lines(const std::string& text) {
    static const std::regex record(
        R"(^(SwitchName|BlockName)=[A-Za-z0-9._-]{1,64}( (Nodes|Switches)=[A-Za-z0-9._,\[\]-]+)*$)");
    static const std::regex sizes(R"(^(BlockSizes=[1-9][0-9]*|BlockLevels=0)$)");
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        INFO(line);
        CHECK((std::regex_match(line, record) || std::regex_match(line, sizes)));
    }
}

void check_keys(const YAML::Node& map, std::set<std::string> allowed) {
    REQUIRE(map.IsMap());
    for (const auto& kv : map) {
        INFO(kv.first.as<std::string>());
        CHECK(allowed.count(kv.first.as<std::string>()));
    }
}

// topology.yaml parses as the schema Slurm reads and nothing else; returns it.
YAML::Node check_yaml(const std::string& text) {
    YAML::Node root = YAML::Load(text);
    REQUIRE(root.IsSequence());
    for (const auto& topo : root) {
        check_keys(topo, {"topology", "cluster_default", "block", "tree"});
        CHECK(is_safe_name(topo["topology"].as<std::string>()));
        if (topo["block"]) {
            check_keys(topo["block"], {"block_sizes", "blocks"});
            for (const auto& b : topo["block"]["blocks"]) {
                check_keys(b, {"block", "nodes"});
                CHECK(is_safe_name(b["block"].as<std::string>()));
                CHECK(ks::hostlist::expand(b["nodes"].as<std::string>()).ok());
            }
        }
        if (topo["tree"]) {
            check_keys(topo["tree"], {"switches"});
            for (const auto& s : topo["tree"]["switches"]) {
                check_keys(s, {"switch", "nodes", "children"});
                CHECK(is_safe_name(s["switch"].as<std::string>()));
            }
        }
    }
    return root;
}

}  // namespace

// ---- versions and formats ------------------------------------------------------------------------

TEST_CASE("Slurm versions from SLURM_VERSION_NUMBER and from text") {
    CHECK(SlurmVersion::from_number(0x180b05) == SlurmVersion{24, 11});
    CHECK(SlurmVersion::from_number(0x160508) == SlurmVersion{22, 5});
    CHECK(SlurmVersion::from_number(0x160508).str() == "22.05");
    CHECK(v("23.11.10") == SlurmVersion{23, 11});
    CHECK(v(" 25.05 ") == SlurmVersion{25, 5});
    CHECK(v("24.05") < v("24.11"));
    CHECK(v("25.05").at_least(24, 11));
    CHECK_FALSE(v("24.05").at_least(24, 11));
    for (const char* bad : {"", "24", "x.y", "24.11.x", "24.11.5.1", "-1.2", "300.1"}) {
        INFO(bad);
        CHECK_FALSE(SlurmVersion::parse(bad).ok());
    }
}

TEST_CASE("format names") {
    CHECK(*parse_conf_format("Block") == ConfFormat::Block);
    CHECK(*parse_conf_format("tree") == ConfFormat::Tree);
    CHECK(*parse_conf_format("YAML") == ConfFormat::Yaml);
    CHECK(*parse_conf_format("auto") == ConfFormat::Auto);
    CHECK_FALSE(parse_conf_format("json").ok());
    CHECK(conf_format_name(ConfFormat::Yaml) == "yaml");
}

TEST_CASE("auto picks yaml for a *.yaml file and tree otherwise; forms are checked against the version") {
    auto fmt = [](ConfFormat f, const char* slurm, std::string path) {
        ConfOptions o;
        o.format = f;
        o.slurm = v(slurm);
        o.path = std::move(path);
        return o.resolved_format();
    };
    CHECK(*fmt(ConfFormat::Auto, "25.05", "/etc/slurm/topology.yaml") == ConfFormat::Yaml);
    CHECK(*fmt(ConfFormat::Auto, "25.11", "/etc/slurm/topology.conf") == ConfFormat::Tree);
    CHECK(*fmt(ConfFormat::Auto, "22.05", "/etc/slurm/topology.conf") == ConfFormat::Tree);
    CHECK(*fmt(ConfFormat::Auto, "24.11", "-") == ConfFormat::Tree);
    CHECK(*fmt(ConfFormat::Block, "23.11", "topology.conf") == ConfFormat::Block);
    CHECK(*fmt(ConfFormat::Yaml, "26.05", "-") == ConfFormat::Yaml);
    CHECK_THAT(fmt(ConfFormat::Auto, "24.11", "/etc/slurm/topology.yaml").error(),
               Catch::Contains("topology.yaml needs Slurm 25.05 or later (Slurm 24.11)"));
    CHECK_THAT(fmt(ConfFormat::Block, "23.02", "-").error(),
               Catch::Contains("topology/block needs Slurm 23.11 or later (Slurm 23.02)"));
    CHECK_THAT(fmt(ConfFormat::Tree, "25.05", "/etc/slurm/topology.yaml").error(),
               Catch::Contains("Slurm would read it as topology.yaml"));
}

TEST_CASE("topology file options from kubeslurm.conf") {
    auto cfg = ks::config::Config::parse("TopologyConfFormat=block\nTopologyConfBlockSize=18\n"
                                         "TopologyConfSlurmVersion=23.11.10\nTopologyConfFile=/etc/slurm/topology.conf\n",
                                         "t.conf");
    REQUIRE(cfg.ok());
    auto o = ConfOptions::from_config(*cfg, SlurmVersion{22, 5});
    REQUIRE(o.ok());
    CHECK(o->format == ConfFormat::Block);
    CHECK(o->block_size == 18);
    CHECK(o->slurm == SlurmVersion{23, 11});
    CHECK(o->path == "/etc/slurm/topology.conf");

    auto defaults = ks::config::Config::parse("", "t.conf");
    REQUIRE(defaults.ok());
    auto d = ConfOptions::from_config(*defaults, SlurmVersion{24, 11});
    REQUIRE(d.ok());
    CHECK(d->format == ConfFormat::Auto);
    CHECK(d->block_size == 0);
    CHECK(d->slurm == SlurmVersion{24, 11});  // the Slurm the command was built for

    auto bad = ks::config::Config::parse("TopologyConfSlurmVersion=latest\n", "t.conf");
    REQUIRE(bad.ok());
    CHECK_THAT(ConfOptions::from_config(*bad, SlurmVersion{24, 11}).error(), Catch::Contains("TopologyConfSlurmVersion"));
    CHECK_FALSE(ks::config::Config::parse("TopologyConfFormat=json\n", "t.conf").ok());
    CHECK_FALSE(ks::config::Config::parse("TopologyConfBlockSize=-1\n", "t.conf").ok());
}

// ---- tree form -----------------------------------------------------------------------------------

TEST_CASE("tree writer: domains under leaves under spines, one root, round trip of tiers") {
    auto t = build({{"n1", "d1", {"leaf1", "sp"}}, {"n2", "d1", {"leaf1", "sp"}},
                    {"n3", "d2", {"leaf2", "sp"}}, {"n4", "", {"leaf2", "sp"}}, {"n5", "", {}}});
    auto out = write(t, ConfFormat::Tree, "22.05");
    CHECK(out.format == ConfFormat::Tree);
    CHECK(out.warnings.empty());
    const std::string& conf = out.text;
    CHECK_THAT(conf, Catch::StartsWith("# Slurm topology.conf (tree form) generated by kubeslurm from topology " + t.hash()));
    CHECK_THAT(conf, Catch::Contains("SwitchName=d1 Nodes=n[1-2]\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf1 Switches=d1\n"));
    // leaf2 holds a domain switch and a bare node: the node moves to a switch of its own.
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf2-nodes Nodes=n4\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf2 Switches=d2,leaf2-nodes\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=unplaced Nodes=n5\n"));
    CHECK_THAT(conf, Catch::EndsWith("SwitchName=root Switches=sp,unplaced\n"));
    check_conf_lines(conf);

    auto back = parse_topology_conf(conf, "generated");
    REQUIRE(back.ok());
    REQUIRE(back->size() == 5);
    CHECK(back->find("n1")->tiers[0] == "d1");
    CHECK(back->group_of(0, Level::Spine) == back->group_of(1, Level::Spine));
}

TEST_CASE("tree form is the same for every Slurm version") {
    auto t = unequal();
    const std::string first = write(t, ConfFormat::Tree, "22.05").text;
    for (const char* slurm : {"23.11", "24.05", "24.11", "25.05", "26.05"}) {
        INFO(slurm);
        CHECK(write(t, ConfFormat::Tree, slurm).text == first);
    }
}

TEST_CASE("tree writer keeps switch names unique across levels") {
    auto t = build({{"n1", "x", {"x"}}, {"n2", "y", {"x"}}});
    std::string conf = write(t, ConfFormat::Tree, "24.11").text;
    CHECK_THAT(conf, Catch::Contains("SwitchName=x Nodes=n1\n"));
    CHECK_THAT(conf, Catch::Contains("SwitchName=leaf-x Switches=x,y\n"));
    CHECK(parse_topology_conf(conf, "g").ok());
}

TEST_CASE("a topology without any levels becomes one root switch") {
    auto t = build({{"a1", "", {}}, {"a2", "", {}}});
    CHECK(body(write(t, ConfFormat::Tree, "22.05").text) == "SwitchName=root Nodes=a[1-2]\n");
}

// ---- block form, per release line ----------------------------------------------------------------

TEST_CASE("block form for Slurm 23.11: BlockLevels, blocks of exactly the most common domain size") {
    auto out = write(unequal(), ConfFormat::Block, "23.11");
    CHECK(out.format == ConfFormat::Block);
    CHECK_THAT(out.text, Catch::StartsWith("# Slurm topology.conf (block form, Slurm 23.11)"));
    // d3 (8 nodes) splits into two blocks of 4, d5 (6) keeps 4, d4 (3) and n26 are in no block.
    CHECK(body(out.text) ==
          "BlockName=d1 Nodes=n[1-4]\n"
          "BlockName=d2 Nodes=n[5-8]\n"
          "BlockName=d3-1 Nodes=n[9-12]\n"
          "BlockName=d3-2 Nodes=n[13-16]\n"
          "BlockName=d5 Nodes=n[20-23]\n"
          "BlockLevels=0\n");
    CHECK(out.text.find("BlockSizes") == std::string::npos);  // an unknown key aborts 23.11's slurmctld
    for (const auto& [block, nodes] : blocks_of(out.text)) CHECK(nodes.size() == 4);
    CHECK(mentions(out.warnings, "\"d4\" has 3 nodes, fewer than the block size 4 that Slurm 23.11 requires: n[17-19]"));
    CHECK(mentions(out.warnings, "\"d5\" has 6 nodes, not a multiple of the block size 4"));
    CHECK(mentions(out.warnings, "n[24-25] left out"));
    CHECK(mentions(out.warnings, "1 node(s) without an NVLink domain are in no block: n26"));
    check_conf_lines(out.text);
}

TEST_CASE("block form for Slurm 24.05 and 24.11: BlockSizes = planning size, no smaller block") {
    for (const char* slurm : {"24.05", "24.11"}) {
        INFO(slurm);
        auto out = write(unequal(), ConfFormat::Block, slurm);
        CHECK(body(out.text) ==
              "BlockName=d1 Nodes=n[1-4]\n"
              "BlockName=d2 Nodes=n[5-8]\n"
              "BlockName=d3 Nodes=n[9-16]\n"
              "BlockName=d5 Nodes=n[20-25]\n"
              "BlockSizes=4\n");
        // Every block holds at least the base size (block_record.c: "children count lower than
        // bblock_node_cnt" is fatal), and the domain-less node did not shrink it to 1.
        for (const auto& [block, nodes] : blocks_of(out.text)) CHECK(nodes.size() >= 4);
        CHECK(mentions(out.warnings, "\"d4\" has 3 nodes, fewer than the block size 4 that Slurm"));
        CHECK(mentions(out.warnings, "without an NVLink domain are in no block: n26"));
        check_conf_lines(out.text);
    }
}

TEST_CASE("block form for Slurm 25.05+: every domain is a block, smaller ones included") {
    for (const char* slurm : {"25.05", "25.11", "26.05"}) {
        INFO(slurm);
        auto out = write(unequal(), ConfFormat::Block, slurm);
        CHECK(body(out.text) ==
              "BlockName=d1 Nodes=n[1-4]\n"
              "BlockName=d2 Nodes=n[5-8]\n"
              "BlockName=d3 Nodes=n[9-16]\n"
              "BlockName=d4 Nodes=n[17-19]\n"
              "BlockName=d5 Nodes=n[20-25]\n"
              "BlockSizes=4\n");
        CHECK(out.warnings.size() == 1);  // only the node without a domain
        CHECK(mentions(out.warnings, "n26"));
    }
}

TEST_CASE("block size: most common domain size, ties to the larger, or the configured one") {
    auto t = build({{"a1", "x", {}}, {"a2", "x", {}}, {"b1", "y", {}}, {"b2", "y", {}},
                    {"c1", "z", {}}, {"c2", "z", {}}, {"c3", "z", {}}, {"c4", "z", {}},
                    {"e1", "w", {}}, {"e2", "w", {}}, {"e3", "w", {}}, {"e4", "w", {}}});
    CHECK_THAT(write(t, ConfFormat::Block, "24.11").text, Catch::EndsWith("BlockSizes=4\n"));

    auto six = write(unequal(), ConfFormat::Block, "24.11", 6);
    CHECK(body(six.text) == "BlockName=d3 Nodes=n[9-16]\nBlockName=d5 Nodes=n[20-25]\nBlockSizes=6\n");
    auto two = write(unequal(), ConfFormat::Block, "23.11", 2);
    for (const auto& [block, nodes] : blocks_of(two.text)) CHECK(nodes.size() == 2);
    CHECK(blocks_of(two.text).size() == 2 + 2 + 4 + 1 + 3);
}

TEST_CASE("block form refuses what Slurm would not load") {
    CHECK_THAT(write_error(unequal(), ConfFormat::Block, "23.02"), Catch::Contains("needs Slurm 23.11"));
    auto bare = build({{"a1", "", {"leaf"}}, {"a2", "", {"leaf"}}});
    CHECK_THAT(write_error(bare, ConfFormat::Block, "24.11"), Catch::Contains("no node has an NVLink domain"));
    ConfOptions o;
    o.format = ConfFormat::Block;
    o.slurm = v("24.11");
    o.block_size = 9;
    auto r = to_slurm_topology(unequal(), o);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("no NVLink domain has the 9 nodes of a block"));
    o.slurm = v("25.05");  // 25.05 takes blocks smaller than the base size
    CHECK(to_slurm_topology(unequal(), o).ok());
}

TEST_CASE("block names stay unique when domain IDs collide after rewriting") {
    auto t = build({{"n1", "a b", {}}, {"n2", "a b", {}}, {"n3", "a_b", {}}, {"n4", "a_b", {}}});
    auto blocks = blocks_of(write(t, ConfFormat::Block, "24.11").text);
    CHECK(blocks.size() == 2);
    CHECK(blocks.count("a_b"));
}

// ---- topology.yaml -------------------------------------------------------------------------------

TEST_CASE("topology.yaml: a block and a tree topology, block the cluster default") {
    auto t = build({{"n1", "d1", {"leaf1"}}, {"n2", "d1", {"leaf1"}}, {"n3", "d2", {"leaf1"}},
                    {"n4", "d2", {"leaf1"}}, {"n5", "", {}}});
    auto out = write(t, ConfFormat::Auto, "25.05", 0, "/etc/slurm/topology.yaml");
    CHECK(out.format == ConfFormat::Yaml);
    CHECK(body(out.text) ==
          "- topology: \"block\"\n"
          "  cluster_default: true\n"
          "  block:\n"
          "    block_sizes:\n"
          "      - 2\n"
          "    blocks:\n"
          "      - block: \"d1\"\n"
          "        nodes: \"n[1-2]\"\n"
          "      - block: \"d2\"\n"
          "        nodes: \"n[3-4]\"\n"
          "- topology: \"tree\"\n"
          "  cluster_default: false\n"
          "  tree:\n"
          "    switches:\n"
          "      - switch: \"d1\"\n"
          "        nodes: \"n[1-2]\"\n"
          "      - switch: \"leaf1\"\n"
          "        children: \"d[1-2]\"\n"
          "      - switch: \"d2\"\n"
          "        nodes: \"n[3-4]\"\n"
          "      - switch: \"unplaced\"\n"
          "        nodes: \"n5\"\n"
          "      - switch: \"root\"\n"
          "        children: \"leaf1,unplaced\"\n");
    auto root = check_yaml(out.text);
    REQUIRE(root.size() == 2);
    CHECK(root[0]["topology"].as<std::string>() == "block");
    CHECK(root[0]["cluster_default"].as<bool>());
    CHECK(root[0]["block"]["block_sizes"][0].as<int>() == 2);
    CHECK(root[1]["topology"].as<std::string>() == "tree");
    CHECK_FALSE(root[1]["cluster_default"].as<bool>());
    CHECK(mentions(out.warnings, "n5"));
}

TEST_CASE("topology.yaml takes unequal domains whole (gaps are legal from 25.05)") {
    auto out = write(unequal(), ConfFormat::Yaml, "25.11");
    auto root = check_yaml(out.text);
    CHECK(root[0]["block"]["block_sizes"][0].as<int>() == 4);
    CHECK(root[0]["block"]["blocks"].size() == 5);
    CHECK(root[0]["block"]["blocks"][3]["nodes"].as<std::string>() == "n[17-19]");
}

TEST_CASE("topology.yaml without any domain keeps the tree as the cluster default") {
    auto t = build({{"a1", "", {"leaf"}}, {"a2", "", {"leaf"}}});
    auto out = write(t, ConfFormat::Yaml, "25.05");
    auto root = check_yaml(out.text);
    REQUIRE(root.size() == 1);
    CHECK(root[0]["topology"].as<std::string>() == "tree");
    CHECK(root[0]["cluster_default"].as<bool>());
    CHECK(mentions(out.warnings, "without the 'block' topology"));
    CHECK_THAT(write_error(t, ConfFormat::Yaml, "24.11"), Catch::Contains("needs Slurm 25.05"));
}

// ---- hostile names -------------------------------------------------------------------------------

TEST_CASE("safe names") {
    CHECK(is_safe_name("gb200-rack_01.a"));
    for (std::string bad : std::vector<std::string>{"", "a b", "a=b", "a#b", "a,b", "a[1]", "a\nb", std::string("a\0b", 3), "a\"b",
                            std::string(65, 'x')}) {
        INFO(yaml_quoted(bad));
        CHECK_FALSE(is_safe_name(bad));
        CHECK(is_safe_name(safe_name(bad)));
    }
    CHECK(safe_name("rack-1") == "rack-1");
    CHECK(safe_name("a b") != safe_name("a_b"));      // rewritten names carry a hash of the original
    CHECK(safe_name("a b") != safe_name("a\tb"));
    CHECK(safe_name(std::string(100, 'x')) != safe_name(std::string(101, 'x')));
    CHECK(safe_name(std::string(100, 'x')).size() == 64);
    CHECK(safe_name("a b") == safe_name("a b"));      // stable across runs
}

TEST_CASE("yaml quoting escapes quotes, backslashes and control characters") {
    CHECK(yaml_quoted("d1") == "\"d1\"");
    CHECK(yaml_quoted("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK(yaml_quoted(std::string("a\nb\0c\r", 6)) == "\"a\\x0ab\\x00c\\x0d\"");
    CHECK(YAML::Load(yaml_quoted("x\": y\n- evil: 1")).as<std::string>() == "x\": y\n- evil: 1");
}

TEST_CASE("hostile domain, switch and node names cannot add a line or a key in any form") {
    const std::string nul_id("nul\0id", 6);
    const std::string evil_tier = "le\"af\\2\r\nSwitchName=evil Nodes=n1";
    auto t = build({
        {"n1", "d1\nBlockSizes=1", {"leaf 1#x", "sp=ine"}},
        {"n2", "d1\nBlockSizes=1", {"leaf 1#x", "sp=ine"}},
        {"n3", nul_id, {evil_tier}},
        {"n4", nul_id, {evil_tier}},
        {"n5", "a,b[1-2]", {"\x01\x7f"}},
        {"n8", "- block: evil\n  nodes: n1", {}},
        {"n9", "\"quoted\": yes", {}},
        {"n10", std::string(200, 'L') + "#", {}},
        {"n6 BlockName=x", "d9", {}},
        {"n7\nSwitchName=y", "", {}},
        {"n11#", "d9", {}},
    });
    for (const char* slurm : {"23.11", "24.11", "25.05"}) {
        for (auto f : {ConfFormat::Tree, ConfFormat::Block, ConfFormat::Yaml}) {
            if (f == ConfFormat::Yaml && !v(slurm).at_least(25, 5)) continue;
            INFO(slurm << " " << conf_format_name(f));
            auto out = write(t, f, slurm, 1);
            CHECK(mentions(out.warnings, "3 node name(s) that are not safe Slurm node names"));
            CHECK(out.text.find("n6") == std::string::npos);
            CHECK(out.text.find("BlockSizes=1\n") == out.text.rfind("BlockSizes=1\n"));  // at most our own
            for (char c : out.text) CHECK((c == '\n' || (c >= 0x20 && c < 0x7f)));
            if (f == ConfFormat::Yaml) {
                auto root = check_yaml(out.text);
                CHECK(root.size() == 2);
                std::set<std::string> nodes;
                for (const auto& b : root[0]["block"]["blocks"]) {
                    auto expanded = ks::hostlist::expand(b["nodes"].as<std::string>());
                    REQUIRE(expanded.ok());
                    nodes.insert(expanded->begin(), expanded->end());
                }
                CHECK(nodes == std::set<std::string>{"n1", "n2", "n3", "n4", "n5", "n8", "n9", "n10"});
            } else {
                check_conf_lines(out.text);
                auto back = parse_topology_conf(out.text, "generated");
                REQUIRE(back.ok());
                CHECK(back->size() == 8);
            }
        }
    }
    // Nodes sharing a hostile domain still share one block.
    auto blocks = blocks_of(write(t, ConfFormat::Block, "24.11", 1).text);
    CHECK(blocks.size() == 6);
    for (const auto& [block, nodes] : blocks) {
        INFO(block);
        CHECK(is_safe_name(block));
    }
}

TEST_CASE("random bytes in every name never break a line, a key or a hostlist (fixed seed)") {
    std::mt19937 rng(4711);
    auto random_id = [&](bool allow_empty) {
        static const std::string pool = std::string("ab12-_.=#,[] \t\r\n\"\\:{}'") + std::string(1, '\0') + "\x01\x7f\xc3\xa9";
        std::string s;
        size_t len = (allow_empty ? 0 : 1) + rng() % 12;
        for (size_t i = 0; i < len; ++i) s += pool[rng() % pool.size()];
        return s;
    };
    for (int round = 0; round < 60; ++round) {
        std::vector<Node> nodes;
        std::set<std::string> names;
        for (int i = 0; i < 12; ++i) {
            std::string name = rng() % 4 ? "n" + std::to_string(i) : random_id(false);
            if (!names.insert(name).second) continue;
            std::vector<std::string> tiers;
            for (int t = 0; t < static_cast<int>(rng() % 4); ++t) tiers.push_back(random_id(true));
            nodes.push_back({name, rng() % 5 ? random_id(true) : "", tiers});
        }
        auto t = Topology::build(nodes);
        if (!t) continue;  // e.g. trailing tiers dropped to more than allowed: not the writer's case
        for (const char* slurm : {"23.11", "24.11", "25.05"}) {
            for (auto f : {ConfFormat::Tree, ConfFormat::Block, ConfFormat::Yaml}) {
                ConfOptions o;
                o.format = f;
                o.slurm = v(slurm);
                o.block_size = 1;
                auto r = to_slurm_topology(*t, o);
                if (!r) continue;  // no safe node, or no domain: refused as a whole
                INFO(slurm << " " << conf_format_name(f) << "\n" << r->text);
                for (char c : r->text) REQUIRE((c == '\n' || (c >= 0x20 && c < 0x7f)));
                if (f == ConfFormat::Yaml) {
                    check_yaml(r->text);
                } else {
                    check_conf_lines(r->text);
                    // Random tiers put one switch under two parents, which Slurm's tree accepts and
                    // kubeslurm's reader does not: re-read only blocks.
                    if (f == ConfFormat::Tree) continue;
                    auto back = parse_topology_conf(r->text, "generated");
                    INFO((back.ok() ? std::string() : back.error()));
                    REQUIRE(back.ok());
                }
            }
        }
    }
}
