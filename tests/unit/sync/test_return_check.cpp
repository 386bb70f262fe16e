// The return-to-service gate's rules: what starts a check, what refuses one, and each verdict.
#include <catch2/catch.hpp>

#include "sync/node_events.h"
#include "sync/reconcile.h"
#include "sync/return_check.h"
#include "world.h"

using namespace ks::sync;

namespace {

// The return-to-service gate on, at level quick.
struct World : ks::sync::test::World {
    World() { options.return_check_level = "quick"; }
    SlurmNode& s(const std::string& name, bool drain = false, const std::string& reason = "") {
        auto& n = ks::sync::test::World::s(name);
        n.drain = drain;
        n.reason = reason;
        return n;
    }
};

Action start(const std::string& node, const std::string& level, const std::string& trigger) {
    return {ActionKind::StartReturnCheck, node, node, level, trigger, {}};
}

}  // namespace

TEST_CASE("with ReturnCheckLevel, our drain is checked instead of resumed once its causes are gone") {
    World w;
    w.k("n1");
    w.s("n1", true, "kubeslurm: k8s: cordoned");
    CHECK(w.run() == std::vector<Action>{start("n1", "quick", "kubernetes")});
    // Off: resumed at once, as before.
    w.options.return_check_level.clear();
    CHECK(w.run() == std::vector<Action>{{ActionKind::Resume, "n1", "n1", {}, {}, {}}});
    // Still cordoned: nothing to check yet.
    w.options.return_check_level = "full";
    w.k("n1").unschedulable = true;
    CHECK(w.run().empty());
}

TEST_CASE("a node under check gets no resume, no new check and keeps its Kubernetes health state") {
    World w;
    w.k("n1").conditions.push_back({"GPUHealthCheckFailed", "True", "host.membw", "1 < 2 GB/s"});
    w.k("n1").taints.push_back({"kubeslurm.io/unhealthy", "host.membw", "NoSchedule"});
    w.s("n1");  // resumed by the check, in its reservation
    w.checking = {"n1"};
    CHECK(w.run().empty());
    // A cordon during the check still drains it (the check then ends as aborted).
    w.k("n1").unschedulable = true;
    CHECK(w.run() == std::vector<Action>{{ActionKind::Drain, "n1", "n1", "kubeslurm: k8s: cordoned", {}, {}}});
}

TEST_CASE("the annotation hands back a gate-drained or in-service node, at the level it names") {
    World w;
    w.k("n1").return_request = "yes";
    w.s("n1", true, "kubeslurm: host.membw: 0.4 < 100000 GB/s");
    auto acts = w.run();
    REQUIRE(!acts.empty());
    CHECK(acts[0] == start("n1", "quick", "yes"));
    w.k("n1").return_request = "full";
    CHECK(w.run()[0] == start("n1", "full", "full"));
    w.k("n1").return_request = "replaced";
    w.s("n1");  // in service: a replaced machine is checked all the same
    CHECK(w.run()[0] == start("n1", "quick", "replaced"));
    w.s("n1", true, "kubeslurm: return-check: job 4 ended FAILED (exit 1)");  // a failed check's error
    w.k("n1").return_request = "";
    CHECK(w.run()[0] == start("n1", "quick", "requested"));
}

TEST_CASE("an admin's drain and an unknown level are refused with a clear reason, changing nothing") {
    World w;
    w.k("n1").return_request = "yes";
    w.s("n1", true, "bad DIMM ticket 42");
    auto acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::RefuseReturnCheck);
    CHECK(acts[0].message == "drained by an admin (reason 'bad DIMM ticket 42'): left alone");
    w.k("n1").return_request = "thorough";
    w.s("n1", true, "kubeslurm: k8s: cordoned");
    acts = w.run();
    REQUIRE(acts.size() == 1);
    CHECK(acts[0].kind == ActionKind::RefuseReturnCheck);
    CHECK(acts[0].message ==
          "kubeslurm.io/return-check=thorough: unknown level, expected one of quick|nccl|full (or yes for ReturnCheckLevel)");
    auto e = action_event(acts[0]);
    REQUIRE(e);
    CHECK(e->reason == "ReturnCheckRefused");
    CHECK(e->type == "Warning");
    // Without ReturnCheckLevel the annotation means nothing.
    w.options.return_check_level.clear();
    CHECK(w.run() == std::vector<Action>{{ActionKind::Resume, "n1", "n1", {}, {}, {}}});
}

TEST_CASE("a check is never started on a node an admin drained since the pass read it") {
    const Action a = start("n1", "quick", "kubernetes");
    CHECK(still_wanted(a, {"n1", true, "kubeslurm: k8s: cordoned", {}}));
    CHECK(still_wanted(a, {"n1", true, "kubeslurm: gpu.xid: Xid 79", {}}));
    CHECK(still_wanted(a, {"n1", false, "", {}}));
    CHECK_FALSE(still_wanted(a, {"n1", true, "reboot by bob", {}}));
}

TEST_CASE("requested levels") {
    CHECK(*requested_level("", "nccl") == "nccl");
    CHECK(*requested_level("replaced", "nccl") == "nccl");
    CHECK(*requested_level("full", "quick") == "full");
    CHECK_FALSE(requested_level("burnin", "quick"));
    CHECK(reservation_name("gpu-7") == "kubeslurm-return-gpu-7");
}

TEST_CASE("verdicts of a running check") {
    const SlurmNode in_service{"n1", false, "kubeslurm: k8s: cordoned", {}};  // 24.11 keeps old reasons
    const CheckJob pending{"PENDING", false, 0}, done{"COMPLETED", true, 0};
    CHECK(judge(in_service, 7, pending, false).outcome == Outcome::Running);
    CHECK(judge(in_service, 7, done, false).outcome == Outcome::Passed);

    auto fail = judge(SlurmNode{"n1", true, "kubeslurm: host.membw: 0.41 < 100000 GB/s", {}}, 7, pending, false);
    CHECK(fail.outcome == Outcome::Failed);
    REQUIRE(fail.failure);
    CHECK(fail.failure->check == "host.membw");
    CHECK(fail.failure->figure->threshold == 100000);

    CHECK(judge(SlurmNode{"n1", true, "kubeslurm: k8s: cordoned", {}}, 7, pending, false).outcome == Outcome::Aborted);
    CHECK(judge(SlurmNode{"n1", true, "bob: PSU", {}}, 7, pending, false).outcome == Outcome::Aborted);
    CHECK(judge(std::nullopt, 7, pending, false).outcome == Outcome::Vanished);
    CHECK(judge(in_service, 7, std::nullopt, false).outcome == Outcome::Error);
    auto failed = judge(in_service, 7, CheckJob{"FAILED", true, 1}, false);
    CHECK(failed.outcome == Outcome::Error);
    CHECK(failed.detail == "job 7 ended FAILED (exit 1)");
    auto no_gate = judge(in_service, 7, CheckJob{"FAILED", true, kGateNotPassedExit}, false);
    CHECK(no_gate.outcome == Outcome::Error);
    CHECK(no_gate.detail.find("the health gate did not pass it") != std::string::npos);
    CHECK(judge(in_service, 7, pending, true).outcome == Outcome::Error);
    CHECK(check_job_script().find("KUBESLURM_GPU_CHECK_RESULT") != std::string::npos);
}

TEST_CASE("each step of a check is an Event with its job and level; a failure carries its figure") {
    const Action a = start("s1", "quick", "kubernetes");
    auto started = return_check_event(a, 12, {Outcome::Running, "", {}});
    CHECK(started.reason == "ReturnCheckStarted");
    CHECK(started.annotations.at("kubeslurm.io/job") == "12");
    CHECK(started.annotations.at("kubeslurm.io/level") == "quick");
    auto v = parse_health_reason("kubeslurm: host.membw: 0.41 < 100000 GB/s");
    auto failed = return_check_event(a, 12, {Outcome::Failed, "host.membw: 0.41 < 100000 GB/s", v});
    CHECK(failed.type == "Warning");
    CHECK(failed.reason == "ReturnCheckFailed");
    CHECK(failed.message ==
          "return-to-service check of Slurm node s1 (job 12, level quick) failed: host.membw: 0.41 < 100000 GB/s; "
          "stays drained");
    CHECK(failed.annotations.at("kubeslurm.io/figure") == "0.41");
    CHECK(failed.annotations.at("kubeslurm.io/threshold") == "100000");
    CHECK(return_check_event(a, 12, {Outcome::Passed, "", {}}).reason == "ReturnCheckPassed");
    CHECK(return_check_event(a, 12, {Outcome::Vanished, "", {}}).reason == "ReturnCheckError");
}
