#include <catch2/catch.hpp>

#include "sync/reasons.h"
#include "sync/reconcile.h"
#include "world.h"

using namespace ks::sync;
using ks::sync::test::World;

namespace {


void set_ready(KubeNode& n, const std::string& status) {
    for (auto& c : n.conditions)
        if (c.type == "Ready") c.status = status;
}

}  // namespace

TEST_CASE("a healthy, matching node needs no action") {
    World w;
    w.k("n1");
    w.s("n1");
    CHECK(w.run().empty());
}

TEST_CASE("cordon drains with our reason, uncordon resumes") {
    World w;
    w.k("n1").unschedulable = true;
    w.s("n1");
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0] == Action{ActionKind::Drain, "n1", "n1", "kubeslurm: k8s: cordoned", {}, {}});
    CHECK(w.settle().empty());
    CHECK(w.slurm["n1"].drain);

    w.kube["n1"].unschedulable = false;
    acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::Resume);
    CHECK(acts[0].slurm_node == "n1");
    CHECK(w.settle().empty());
    CHECK_FALSE(w.slurm["n1"].drain);
}

TEST_CASE("NotReady and Unknown drain; a node without a Ready condition does not") {
    for (std::string status : {"False", "Unknown"}) {
        World w;
        set_ready(w.k("n1"), status);
        w.s("n1");
        auto acts = w.run();
        REQUIRE(acts.size() == 1);
        CHECK(acts[0].reason == "kubeslurm: k8s: NotReady");
    }
    World w;
    w.kube["n1"].name = "n1";
    w.s("n1");
    CHECK(w.run().empty());
}

TEST_CASE("configured taints drain, other taints do not") {
    World w;
    w.options.drain_taints = {"example.com/maintenance"};
    w.k("n1").taints.push_back({"example.com/maintenance", "true", "NoSchedule"});
    w.k("n2").taints.push_back({"example.com/other", "x", "NoExecute"});
    w.s("n1");
    w.s("n2");
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].slurm_node == "n1");
    CHECK(acts[0].reason == "kubeslurm: k8s: taint example.com/maintenance");
}

TEST_CASE("several causes are listed; a change of causes updates our own reason") {
    World w;
    auto& n = w.k("n1");
    n.unschedulable = true;
    set_ready(n, "False");
    w.s("n1");
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].reason == "kubeslurm: k8s: cordoned, NotReady");
    CHECK(w.settle().empty());

    set_ready(w.kube["n1"], "True");
    acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::Drain);
    CHECK(acts[0].reason == "kubeslurm: k8s: cordoned");
    CHECK(w.settle().empty());
}

TEST_CASE("an admin's drain is never resumed nor rewritten") {
    World w;
    w.k("n1");
    w.drained("n1", "bad DIMM, ticket 1234");
    CHECK(w.run().empty());  // no cause: still not resumed

    w.kube["n1"].unschedulable = true;  // a cause appears: the admin's reason stays
    CHECK(w.run().empty());
    w.kube["n1"].unschedulable = false;
    CHECK(w.run().empty());
    CHECK(w.slurm["n1"].reason == "bad DIMM, ticket 1234");
}

TEST_CASE("a drain by another kubeslurm component is not ours to resume") {
    World w;
    w.k("n1");
    w.drained("n1", "kubeslurm: gpu.hbm_bandwidth: 1200 < 2500 GB/s");
    for (const auto& a : w.run()) CHECK_FALSE(a.kind == ActionKind::Resume);
}

TEST_CASE("an admin who resumes our drain while the cause persists gets it drained again") {
    World w;
    w.k("n1").unschedulable = true;
    w.s("n1");
    CHECK(w.settle().empty());
    w.slurm["n1"].drain = false;
    w.slurm["n1"].reason.clear();
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::Drain);
}

TEST_CASE("health-gate drain sets condition and taint; resume clears both") {
    World w;
    w.k("n1");
    w.drained("n1", "kubeslurm: gpu.hbm_bandwidth: 1200 < 2500 GB/s");
    auto acts = w.run();
    REQUIRE(acts.size() == 2);
    CHECK(acts[0] == Action{ActionKind::SetCondition, "n1", "n1", "gpu.hbm_bandwidth", "1200 < 2500 GB/s", {}});
    CHECK(acts[1] == Action{ActionKind::AddTaint, "", "n1", "gpu.hbm_bandwidth", "", {}});
    CHECK(w.settle().empty());
    const auto* cond = w.kube["n1"].condition("GPUHealthCheckFailed");
    REQUIRE(cond);
    CHECK(cond->status == "True");
    REQUIRE(w.kube["n1"].taint("kubeslurm.io/unhealthy"));
    CHECK(w.kube["n1"].taint("kubeslurm.io/unhealthy")->value == "gpu.hbm_bandwidth");

    SECTION("the unhealthy taint itself never drains the node") {
        w.options.drain_taints = {"kubeslurm.io/unhealthy"};
        CHECK(drain_cause(w.kube["n1"], w.options).empty());
    }
    SECTION("the admin resumes: condition False, taint removed") {
        w.slurm["n1"].drain = false;
        w.slurm["n1"].reason.clear();
        acts = w.run();
        REQUIRE(acts.size() == 2);
        CHECK(acts[0].kind == ActionKind::ClearCondition);
        CHECK(acts[1].kind == ActionKind::RemoveTaint);
        CHECK(w.settle().empty());
        CHECK(w.kube["n1"].condition("GPUHealthCheckFailed")->status == "False");
        CHECK_FALSE(w.kube["n1"].taint("kubeslurm.io/unhealthy"));
    }
    SECTION("a new failing check updates condition and taint") {
        w.slurm["n1"].reason = "kubeslurm: nccl.allreduce_busbw: 80 < 300 GB/s";
        acts = w.run();
        REQUIRE(acts.size() == 2);
        CHECK(acts[0].reason == "nccl.allreduce_busbw");
        CHECK(w.settle().empty());
    }
}

TEST_CASE("our own k8s drain is not a health verdict") {
    World w;
    w.k("n1").unschedulable = true;
    w.s("n1");
    CHECK(w.settle().empty());
    CHECK_FALSE(w.kube["n1"].condition("GPUHealthCheckFailed"));
    CHECK_FALSE(parse_health_reason("kubeslurm: k8s: cordoned"));
    CHECK_FALSE(parse_health_reason("kubeslurm: free text with spaces: x"));
    CHECK_FALSE(parse_health_reason("bad DIMM"));
    auto v = parse_health_reason("kubeslurm: hostnet.bandwidth: 12.3 < 100 MB/s");
    REQUIRE(v);
    CHECK(v->check == "hostnet.bandwidth");
    CHECK(v->detail == "12.3 < 100 MB/s");
}

TEST_CASE("GPU product label becomes a Slurm feature, admin features are kept") {
    World w;
    w.k("n1").labels["nvidia.com/gpu.product"] = "NVIDIA H100 80GB HBM3";
    w.s("n1").features = {"ib", "gpu_OLD"};
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::SetFeatures);
    CHECK(acts[0].features == std::vector<std::string>{"ib", "gpu_NVIDIA_H100_80GB_HBM3"});
    CHECK(w.settle().empty());

    SECTION("label removed: our feature goes, the admin's stays") {
        w.kube["n1"].labels.clear();
        acts = w.run();
        REQUIRE(acts.size() == 1);
        CHECK(acts[0].features == std::vector<std::string>{"ib"});
        CHECK(w.settle().empty());
    }
    SECTION("GpuFeatures=no leaves features alone") {
        w.options.gpu_features = false;
        w.kube["n1"].labels["nvidia.com/gpu.product"] = "NVIDIA B200";
        CHECK(w.run().empty());
    }
}

TEST_CASE("gpu_feature keeps only safe characters") {
    CHECK(gpu_feature("NVIDIA-H100-80GB-HBM3") == "gpu_NVIDIA-H100-80GB-HBM3");
    CHECK(gpu_feature("A,B|C&D:E") == "gpu_A_B_C_D_E");
    CHECK(gpu_feature("  ").empty());
}

TEST_CASE("unmapped nodes are ignored on both sides") {
    World w;
    w.k("k-only").unschedulable = true;
    w.drained("s-only", "kubeslurm: k8s: cordoned");
    CHECK(w.run().empty());
}

TEST_CASE("pod mapping: hostname is the Slurm node, nodeName the Kubernetes node") {
    auto pairs = map_by_pods({{"slurmd-1", "n1", "k8s-a"},
                              {"slurmd-0", "n0", "k8s-a"},
                              {"slurmd-x", "", "k8s-b"},   // hostname defaults to the pod name
                              {"slurmd-2", "n2", ""},      // not scheduled yet
                              {"slurmd-old", "n1", "k8s-c"}});  // duplicate hostname: larger name loses
    CHECK(pairs == std::vector<NodePair>{{"n0", "k8s-a"}, {"n1", "k8s-a"}, {"slurmd-x", "k8s-b"}});
}

TEST_CASE("pod mapping: two Slurm nodes on one Kubernetes node") {
    World w;
    auto& k = w.k("big");
    k.unschedulable = true;
    w.s("n1");
    w.drained("n2", "kubeslurm: gpu.xid: Xid 79 on GPU 3");
    std::vector<NodePair> pairs{{"n1", "big"}, {"n2", "big"}};
    auto acts = reconcile(pairs, w.slurm, w.kube, w.options);
    // n1 drained for the cordon; n2 keeps the health gate's drain; the Kubernetes node carries the
    // health verdict once.
    REQUIRE(acts.size() == 3);
    CHECK(acts[0].kind == ActionKind::Drain);
    CHECK(acts[0].slurm_node == "n1");
    CHECK(acts[1].kind == ActionKind::SetCondition);
    CHECK(acts[1].reason == "gpu.xid");
    CHECK(acts[2].kind == ActionKind::AddTaint);
    for (const auto& a : acts) apply(a, w.slurm, w.kube, w.options);
    CHECK(reconcile(pairs, w.slurm, w.kube, w.options).empty());
}

TEST_CASE("describe renders one line per action") {
    CHECK(describe({ActionKind::Drain, "n1", "n1", "kubeslurm: k8s: cordoned", {}, {}}) ==
          "slurm: drain n1 reason='kubeslurm: k8s: cordoned'");
    CHECK(describe({ActionKind::Resume, "n1", "n1", {}, {}, {}}) == "slurm: resume n1");
    CHECK(describe({ActionKind::AddTaint, "", "k1", "gpu.xid", {}, {}}) ==
          "k8s: taint k1 value='gpu.xid' effect=NoSchedule");
}

TEST_CASE("a drain or resume is re-checked against fresh Slurm state before it is taken") {
    const Action drain{ActionKind::Drain, "n1", "n1", "kubeslurm: k8s: cordoned", {}, {}};
    const Action resume{ActionKind::Resume, "n1", "n1", {}, {}, {}};
    CHECK(still_wanted(drain, {"n1", false, "", {}}));
    CHECK(still_wanted(drain, {"n1", false, "kubeslurm: k8s: cordoned", {}}));  // resumed, reason kept
    CHECK(still_wanted(drain, {"n1", true, "kubeslurm: k8s: NotReady", {}}));
    CHECK_FALSE(still_wanted(drain, {"n1", true, "kubeslurm: k8s: cordoned", {}}));  // already done
    CHECK_FALSE(still_wanted(drain, {"n1", true, "admin: bad DIMM", {}}));
    CHECK_FALSE(still_wanted(drain, {"n1", true, "kubeslurm: gpu.ecc: 3 errors", {}}));
    CHECK(still_wanted(resume, {"n1", true, "kubeslurm: k8s: cordoned", {}}));
    CHECK_FALSE(still_wanted(resume, {"n1", true, "admin: bad DIMM", {}}));
    CHECK_FALSE(still_wanted(resume, {"n1", false, "", {}}));
}
