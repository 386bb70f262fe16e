#include <catch2/catch.hpp>

#include "spank/core/job_topology.h"

using namespace ks::spank;
using ks::topology::Node;
using ks::topology::Topology;

namespace {

Topology sample() {
    auto t = Topology::build({
        Node{"n1", "rackA", {"leaf1"}},
        Node{"n2", "rackA", {"leaf1"}},
        Node{"n3", "rackB", {"leaf1"}},
        Node{"n4", "rackC", {"leaf2"}},
        Node{"n5", "", {}},
    });
    REQUIRE(t.ok());
    return t.value();
}

}  // namespace

TEST_CASE("the job's domains and leaves, and this node's own") {
    auto vars = job_topology_vars(sample(), {"n1", "n2", "n3", "n4"}, "n3");
    CHECK(vars["KUBESLURM_DOMAINS"] == "rackA,rackB,rackC");
    CHECK(vars["KUBESLURM_DOMAIN_COUNT"] == "3");
    CHECK(vars["KUBESLURM_LEAVES"] == "leaf1,leaf2");
    CHECK(vars["KUBESLURM_LEAF_COUNT"] == "2");
    CHECK(vars["KUBESLURM_NODE_DOMAIN"] == "rackB");
    CHECK(vars["KUBESLURM_NODE_LEAF"] == "leaf1");
}

TEST_CASE("a job inside one domain spans one domain and one leaf") {
    auto vars = job_topology_vars(sample(), {"n1", "n2"}, "n1");
    CHECK(vars["KUBESLURM_DOMAIN_COUNT"] == "1");
    CHECK(vars["KUBESLURM_LEAF_COUNT"] == "1");
}

TEST_CASE("unknown nodes are ignored; no known node means no variables") {
    CHECK(job_topology_vars(sample(), {"x1", "x2"}, "x1").empty());
    auto vars = job_topology_vars(sample(), {"n4", "x9"}, "x9");
    CHECK(vars["KUBESLURM_DOMAINS"] == "rackC");
    CHECK(vars.count("KUBESLURM_NODE_DOMAIN") == 0);
}

TEST_CASE("a node without a domain is its own group") {
    auto vars = job_topology_vars(sample(), {"n4", "n5"}, "n5");
    CHECK(vars["KUBESLURM_DOMAIN_COUNT"] == "2");
    CHECK(vars["KUBESLURM_LEAF_COUNT"] == "2");
    CHECK_FALSE(vars["KUBESLURM_NODE_DOMAIN"].empty());
}
