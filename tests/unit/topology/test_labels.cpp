#include <catch2/catch.hpp>

#include "common/config.h"
#include "topology/topology.h"

using namespace ks::topology;

namespace {

Node from(const StringMap& labels, std::vector<std::string> presets = {"auto"}, const StringMap& annotations = {}) {
    LabelOptions o;
    o.presets = std::move(presets);
    return node_from_labels("n1", labels, annotations, o);
}

}  // namespace

TEST_CASE("each preset reads its own label keys") {
    CHECK(from({{"nvidia.com/gpu.clique", "uuid.3"}}, {"gfd"}).domain == "uuid.3");

    auto tg = from({{"accelerator.topograph.run/domain", "nvl1"},
                    {"fabric.topograph.run/tier-0", "leaf7"},
                    {"fabric.topograph.run/tier-1", "spine2"}}, {"topograph"});
    CHECK(tg.domain == "nvl1");
    CHECK(tg.tiers == std::vector<std::string>{"leaf7", "spine2"});

    auto legacy = from({{"network.topology.nvidia.com/accelerator", "a"},
                        {"network.topology.nvidia.com/leaf", "l"},
                        {"network.topology.nvidia.com/spine", "s"},
                        {"network.topology.nvidia.com/core", "c"}}, {"topograph-legacy"});
    CHECK(legacy.domain == "a");
    CHECK(legacy.tiers == std::vector<std::string>{"l", "s", "c"});

    auto cw = from({{"ds.coreweave.com/nvlink.domain", "nv"},
                    {"ib.coreweave.cloud/leafgroup", "lg"},
                    {"ib.coreweave.cloud/superpod", "sp"},
                    {"ib.coreweave.cloud/fabric", "f"}}, {"coreweave"});
    CHECK(cw.domain == "nv");
    CHECK(cw.tiers == std::vector<std::string>{"lg", "sp", "f"});

    auto aws = from({{"topology.k8s.aws/network-node-layer-1", "top"},
                     {"topology.k8s.aws/network-node-layer-2", "mid"},
                     {"topology.k8s.aws/network-node-layer-3", "near"}}, {"aws"});
    CHECK(aws.domain.empty());
    CHECK(aws.tiers == std::vector<std::string>{"near", "mid", "top"});

    auto gcp = from({{"cloud.google.com/gce-topology-subblock", "sb"},
                     {"cloud.google.com/gce-topology-block", "b"}}, {"gcp"});
    CHECK(gcp.domain == "sb");
    CHECK(gcp.tiers == std::vector<std::string>{"b"});

    auto nebius = from({{"topology.nebius.com/tier-0", "nvl"},
                        {"topology.nebius.com/tier-1", "rack"},
                        {"topology.nebius.com/tier-2", "spine"}}, {"nebius"});
    CHECK(nebius.domain == "nvl");
    CHECK(nebius.tiers == std::vector<std::string>{"rack", "spine"});

    auto slinky = from({}, {"slinky"}, {{"topology.slinky.slurm.net/spec", "topo-switch:s1,topo-block:b1"}});
    CHECK(slinky.domain == "b1");
    CHECK(slinky.tiers == std::vector<std::string>{"s1"});
}

TEST_CASE("a preset only reads its own keys") {
    auto n = from({{"nvidia.com/gpu.clique", "c"}}, {"coreweave"});
    CHECK(n.domain.empty());
    CHECK(n.tiers.empty());
}

TEST_CASE("auto takes the domain and the tiers from the first preset that has them") {
    auto n = from({{"nvidia.com/gpu.clique", "clique9"},
                   {"network.topology.nvidia.com/leaf", "leaf1"},
                   {"cloud.google.com/gce-topology-block", "ignored"}});
    CHECK(n.domain == "clique9");
    CHECK(n.tiers == std::vector<std::string>{"leaf1"});
    auto none = from({{"kubernetes.io/hostname", "n1"}});
    CHECK(none.domain.empty());
    CHECK(none.tiers.empty());
}

TEST_CASE("custom keys, a gap in the tiers stays a gap") {
    LabelOptions o;
    o.presets = {"custom"};
    o.domain_key = "example.com/rack";
    o.tier_keys = {"example.com/leaf", "example.com/spine"};
    auto n = node_from_labels("n1", {{"example.com/rack", "r1"}, {"example.com/spine", "s1"}}, {}, o);
    CHECK(n.domain == "r1");
    CHECK(n.tiers == std::vector<std::string>{"", "s1"});
}

TEST_CASE("label options validate presets") {
    LabelOptions o;
    o.presets = {"gfd", "bogus"};
    auto st = o.validate();
    REQUIRE_FALSE(st.ok());
    CHECK_THAT(st.error(), Catch::Contains("unknown preset 'bogus'"));
    o.presets = {"custom"};
    CHECK_THAT(o.validate().error(), Catch::Contains("needs LabelDomainKey"));
    o.presets = {"AUTO"};
    CHECK(o.validate().ok());
}

TEST_CASE("label options come from kubeslurm.conf") {
    auto cfg = ks::config::Config::parse("LabelPreset=custom,gfd\nLabelDomainKey=x/rack\nLabelTierKeys=x/leaf\n", "t.conf");
    REQUIRE(cfg.ok());
    auto o = LabelOptions::from_config(*cfg);
    REQUIRE(o.ok());
    CHECK(o->presets == std::vector<std::string>{"custom", "gfd"});
    CHECK(o->domain_key == "x/rack");
    CHECK(o->tier_keys == std::vector<std::string>{"x/leaf"});
    auto bad = ks::config::Config::parse("LabelPreset=nope\n", "t.conf");
    REQUIRE(bad.ok());
    CHECK_FALSE(LabelOptions::from_config(*bad).ok());
}

TEST_CASE("NodeList, List and single Node JSON as kubectl prints them") {
    const char* list = R"({"apiVersion": "v1", "kind": "List", "items": [
      {"kind": "Node", "metadata": {"name": "gpu-2", "labels": {"nvidia.com/gpu.clique": "u.1",
         "network.topology.nvidia.com/leaf": "leafA"}}},
      {"kind": "Node", "metadata": {"name": "gpu-1", "labels": {"nvidia.com/gpu.clique": "u.1"}}},
      {"kind": "Node", "metadata": {"name": "cpu-1"}}]})";
    auto t = from_node_labels(list, LabelOptions{});
    REQUIRE(t.ok());
    REQUIRE(t->size() == 3);
    CHECK(t->find("gpu-2")->tiers == std::vector<std::string>{"leafA"});
    CHECK(t->find("gpu-1")->domain == "u.1");
    CHECK(t->blocks().size() == 2);  // u.1 and cpu-1 on its own

    auto single = from_node_labels(R"({"kind": "Node", "metadata": {"name": "x", "labels": {"nvidia.com/gpu.clique": "c"}}})",
                                   LabelOptions{});
    REQUIRE(single.ok());
    CHECK(single->find("x")->domain == "c");
}

TEST_CASE("bad node JSON is rejected with the reason") {
    auto err = [](std::string_view text) {
        auto r = from_node_labels(text, LabelOptions{});
        REQUIRE_FALSE(r.ok());
        return r.error();
    };
    CHECK_THAT(err("not json"), Catch::Contains("not valid JSON"));
    CHECK_THAT(err(R"({"items": 3})"), Catch::Contains("\"items\" must be an array"));
    CHECK_THAT(err(R"({"items": [{"metadata": {}}]})"), Catch::Contains("items[0]: missing metadata.name"));
    CHECK_THAT(err(R"({"items": [{"metadata": {"name": "a", "labels": {"k": 1}}}]})"), Catch::Contains("labels.k must be a string"));
    CHECK_THAT(err(R"({"items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "a"}}]})"), Catch::Contains("duplicate node 'a'"));
}
