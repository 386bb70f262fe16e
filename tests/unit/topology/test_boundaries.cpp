// Every value from Kubernetes or a file is checked where it enters (issue 30, item 3), topology
// files are read without blocking (item 4) and written only over regular files (item 5).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "topology/topology.h"

using namespace ks::topology;
namespace fs = std::filesystem;

namespace {

struct Dir {
    fs::path path;
    Dir() {
        char tmpl[] = "/tmp/ks-topo-boundary-XXXXXX";
        path = ::mkdtemp(tmpl);
    }
    ~Dir() { fs::remove_all(path); }
};

const LabelOptions kAuto;

}  // namespace

TEST_CASE("IDs: printable ASCII without spaces, 1-256 bytes") {
    CHECK(is_valid_id("nvl72-rack.01_a:b/c"));
    CHECK(is_valid_id(std::string(kMaxIdLength, 'a')));
    CHECK_FALSE(is_valid_id(""));
    CHECK_FALSE(is_valid_id(std::string(kMaxIdLength + 1, 'a')));
    for (const std::string& bad : std::vector<std::string>{"a b", "a\nb", "a\tb", std::string("a\0b", 3), "a\x7f", "caf\xc3\xa9", "\r"})
        CHECK_FALSE(is_valid_id(bad));
}

TEST_CASE("label and annotation values that are not IDs count as absent") {
    StringMap labels{{"nvidia.com/gpu.clique", "c1\nSwitchName=evil Nodes=ALL"},
                     {"fabric.topograph.run/tier-0", "leaf 1"},
                     {"network.topology.nvidia.com/leaf", "leaf2"}};
    StringMap annotations{{"topology.slinky.slurm.net/spec", "topo-block:b\x01,topo-switch:s\n1"}};
    Node n = node_from_labels("n1", labels, annotations, kAuto);
    CHECK(n.domain.empty());
    CHECK(n.tiers == std::vector<std::string>{"leaf2"});
    Node slinky = node_from_labels("n2", {}, {{"topology.slinky.slurm.net/spec", "topo-block:b1,topo-switch:s1"}}, kAuto);
    CHECK(slinky.domain == "b1");
    CHECK(slinky.tiers == std::vector<std::string>{"s1"});
}

TEST_CASE("node names and IDs with control characters are refused where files are read") {
    auto bad_name = from_node_labels(R"({"kind":"Node","metadata":{"name":"n1\u0000x"}})", kAuto);
    REQUIRE_FALSE(bad_name.ok());
    CHECK(bad_name.error() == "node labels: metadata.name 'n1\\x00x' is not a valid node name");
    auto json = from_json(R"({"version":1,"nodes":[{"name":"n1","domain":"d\nBlockName=x"}]})", "t.json");
    REQUIRE_FALSE(json.ok());
    CHECK(json.error() == "t.json: nodes[0]: node n1: domain 'd\\nBlockName=x' is not valid (1-256 printable "
                          "ASCII characters, no spaces)");
    auto huge = from_json(R"({"version":1,"nodes":[{"name":")" + std::string(100000, 'n') + R"("}]})", "t.json");
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().size() < 400);
    auto conf = parse_topology_conf(std::string("SwitchName=s\x01 Nodes=n1\n"), "t.conf");
    REQUIRE_FALSE(conf.ok());
    CHECK(conf.error() == "t.conf: node n1: switch 's\\x01' is not valid (1-256 printable ASCII characters, no spaces)");
}

TEST_CASE("topology.json: no ID can add a line or a key (random bytes, fixed seed)") {
    std::mt19937 rng(30);
    const std::string pool = std::string("ab1-_.\"\\{}[],:\n\r\t ") + std::string(1, '\0') + "\x01\x7f\xc3";
    auto random_id = [&] {
        std::string s;
        for (int i = 1 + static_cast<int>(rng() % 12); i > 0; --i) s += pool[rng() % pool.size()];
        return s;
    };
    for (int round = 0; round < 300; ++round) {
        std::vector<Node> nodes;
        for (int i = 0; i < 4; ++i) nodes.push_back({"n" + std::to_string(i) + random_id(), random_id(), {random_id()}});
        auto t = Topology::build(nodes);
        REQUIRE(t.ok());
        std::string text = to_json(*t);
        CHECK(std::count(text.begin(), text.end(), '\n') == 2 + 4);
        auto back = from_json(text, "gen");
        // What was written is read back as it was, or refused as a whole: never another topology.
        if (back.ok()) CHECK(*back == *t);
    }
}

TEST_CASE("topology files are read without blocking: a FIFO or device is refused") {
    Dir d;
    const std::string fifo = d.path / "topology.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto start = std::chrono::steady_clock::now();
    auto json = load_json_file(fifo);
    auto conf = load_topology_conf(fifo);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    REQUIRE_FALSE(json.ok());
    CHECK(json.error() == "cannot read " + fifo + ": it is a FIFO, not a regular file");
    REQUIRE_FALSE(conf.ok());
    CHECK(load_json_file("/dev/zero").error() == "cannot read /dev/zero: it is a character device, not a regular file");
}

TEST_CASE("write_json_atomic replaces a regular file, never a link or a device") {
    Dir d;
    auto t = Topology::build({{"n1", "d1", {}}});
    REQUIRE(t.ok());
    const std::string out = d.path / "topology.json";
    CHECK(*write_json_atomic(*t, out));
    CHECK_FALSE(*write_json_atomic(*t, out));
    const std::string link = d.path / "link.json";
    fs::create_symlink(d.path / "elsewhere.json", link);
    auto via = write_json_atomic(*t, link);
    REQUIRE_FALSE(via.ok());
    CHECK(via.error() == "refusing to replace " + link + ": it is a symbolic link (only a regular file or a new file is written)");
    CHECK_FALSE(fs::exists(d.path / "elsewhere.json"));
    const std::string dev = d.path / "null";
    REQUIRE(::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK_FALSE(write_json_atomic(*t, dev).ok());
    CHECK(fs::is_character_file(dev));
}

TEST_CASE("topology.conf: hostlists that would expand past the limit are refused before expanding") {
    auto start = std::chrono::steady_clock::now();
    auto product = parse_topology_conf("SwitchName=s1 Nodes=a[1-1000]b[1-1000]c[1-1000]\n", "t.conf");
    REQUIRE_FALSE(product.ok());
    CHECK(product.error() == "t.conf:1: the file lists more than 262144 names");
    std::string many;
    for (int i = 0; i < 5; ++i) many += "BlockName=b" + std::to_string(i) + " Nodes=n" + std::to_string(i) + "x[1-60000]\n";
    CHECK(parse_topology_conf(many, "t.conf").error() == "t.conf:5: the file lists more than 262144 names");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    auto ok = parse_topology_conf("SwitchName=s1 Nodes=n[1-4]x[1-2],m7\n", "t.conf");
    REQUIRE(ok.ok());
    CHECK(ok->size() == 9);
}
