#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sync/kube_json.h"

using namespace ks::sync;
using nlohmann::json;

TEST_CASE("a Kubernetes node parses into labels, cordon, taints and conditions") {
    auto j = json::parse(R"({
      "metadata": {"name": "gpu-1", "resourceVersion": "7",
                   "labels": {"nvidia.com/gpu.product": "NVIDIA H100 80GB HBM3"}},
      "spec": {"unschedulable": true,
               "taints": [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]},
      "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}
    })");
    auto n = kube_node_from_json(j);
    REQUIRE(n.ok());
    CHECK(n->name == "gpu-1");
    CHECK(n->unschedulable);
    CHECK(n->labels.at("nvidia.com/gpu.product") == "NVIDIA H100 80GB HBM3");
    REQUIRE(n->taints.size() == 1);
    CHECK(n->taints[0].value.empty());
    REQUIRE(n->condition("Ready"));
    CHECK(n->condition("Ready")->status == "True");
}

TEST_CASE("malformed nodes are errors, not exceptions") {
    CHECK_FALSE(kube_node_from_json(json::array()).ok());
    CHECK(kube_node_from_json(json::parse(R"({"metadata": {}})")).error() ==
          "node: metadata.name missing or not a string");
    CHECK(kube_node_from_json(json::parse(R"({"metadata": {"name": "a"}, "spec": {"unschedulable": "yes"}})"))
              .error() == "node a: spec.unschedulable is not a boolean");
    CHECK_FALSE(kube_node_from_json(json::parse(R"({"metadata": {"name": "a", "labels": {"x": 1}}})")).ok());
    CHECK_FALSE(kube_node_from_json(json::parse(R"({"metadata": {"name": "a"}, "spec": {"taints": [{}]}})")).ok());
}

TEST_CASE("slurmd pods map hostname and nodeName") {
    auto p = slurmd_pod_from_json(json::parse(R"({"metadata": {"name": "slurmd-0"},
        "spec": {"hostname": "n1", "nodeName": "k8s-a"}})"));
    REQUIRE(p.ok());
    CHECK(p->hostname == "n1");
    CHECK(p->node_name == "k8s-a");
    auto q = slurmd_pod_from_json(json::parse(R"({"metadata": {"name": "slurmd-1"}, "spec": {}})"));
    REQUIRE(q.ok());
    CHECK(q->hostname == "slurmd-1");
    CHECK(q->node_name.empty());
    CHECK_FALSE(slurmd_pod_from_json(json::parse(R"({"metadata": {"name": "p"}, "spec": {"nodeName": 3}})")).ok());
}

TEST_CASE("the return-check annotation and the node's identity (providerID, bootID) are read") {
    auto n = kube_node_from_json(nlohmann::json::parse(R"({"metadata":{"name":"n1",
        "annotations":{"kubeslurm.io/return-check":"full"}},"spec":{"providerID":"aws:///i-1"},
        "status":{"nodeInfo":{"bootID":"b-1"}}})"));
    REQUIRE(n);
    CHECK(n->return_request == std::optional<std::string>("full"));
    CHECK(n->identity == "aws:///i-1 b-1");
    auto bare = kube_node_from_json(nlohmann::json::parse(R"({"metadata":{"name":"n1"}})"));
    REQUIRE(bare);
    CHECK_FALSE(bare->return_request);
    CHECK(bare->identity.empty());
}
