#include <catch2/catch.hpp>

#include "sync/node_events.h"
#include "sync/reasons.h"

using namespace ks::sync;

TEST_CASE("a failed check's figure, threshold and unit are read from the gate's detail") {
    auto f = parse_figure("1200 < 2500 GB/s");
    REQUIRE(f);
    CHECK(f->value == 1200);
    CHECK(f->threshold == 2500);
    CHECK(f->op == "<");
    CHECK(f->unit == "GB/s");
    auto no_unit = parse_figure("7 > 5 [slurm@2026-12-03T10:00:00]");
    REQUIRE(no_unit);
    CHECK(no_unit->unit.empty());
    CHECK_FALSE(parse_figure("timeout after 3 s"));
    CHECK_FALSE(parse_figure("Xid 79 on GPU 2"));
    CHECK_FALSE(parse_figure("1 is 2 GB/s"));
    auto v = parse_health_reason("kubeslurm: host.membw: 0.41 < 100000 GB/s");
    REQUIRE(v);
    REQUIRE(v->figure);
    CHECK(v->figure->value == Approx(0.41));
}

TEST_CASE("drains, resumes and gate verdicts become Events on the Kubernetes node") {
    auto drain = action_event({ActionKind::Drain, "s2", "k2", "kubeslurm: k8s: cordoned, NotReady", {}, {}});
    REQUIRE(drain);
    CHECK(drain->node == "k2");
    CHECK(drain->type == "Warning");
    CHECK(drain->reason == "SlurmNodeDrained");
    CHECK(drain->message == "Slurm node s2 drained: cordoned, NotReady");
    CHECK(drain->annotations.at("kubeslurm.io/slurm-node") == "s2");
    CHECK(drain->annotations.at("kubeslurm.io/cause") == "cordoned, NotReady");
    CHECK(drain->component == "kubeslurm-sync");

    auto resume = action_event({ActionKind::Resume, "s2", "k2", {}, {}, {}});
    REQUIRE(resume);
    CHECK(resume->type == "Normal");
    CHECK(resume->reason == "SlurmNodeResumed");

    auto gate = action_event({ActionKind::SetCondition, "s3", "k3", "gpu.hbm_bandwidth", "1200 < 2500 GB/s", {}});
    REQUIRE(gate);
    CHECK(gate->type == "Warning");
    CHECK(gate->reason == "HealthCheckFailed");
    CHECK(gate->message == "Slurm node s3 drained by the health gate: gpu.hbm_bandwidth: 1200 < 2500 GB/s");
    CHECK(gate->annotations.at("kubeslurm.io/check") == "gpu.hbm_bandwidth");
    CHECK(gate->annotations.at("kubeslurm.io/figure") == "1200");
    CHECK(gate->annotations.at("kubeslurm.io/threshold") == "2500");
    CHECK(gate->annotations.at("kubeslurm.io/unit") == "GB/s");

    auto free_text = action_event({ActionKind::SetCondition, "s3", "k3", "gpu.xid", "Xid 79", {}});
    REQUIRE(free_text);
    CHECK_FALSE(free_text->annotations.count("kubeslurm.io/figure"));

    CHECK_FALSE(action_event({ActionKind::AddTaint, "", "k3", "gpu.xid", {}, {}}));
    CHECK_FALSE(action_event({ActionKind::SetFeatures, "s3", "k3", {}, {}, {"gpu_x"}}));
}

TEST_CASE("drain reasons map to a bounded set of cause labels") {
    CHECK(drain_cause_label("kubeslurm: k8s: cordoned, NotReady") == "cordoned");
    CHECK(drain_cause_label("kubeslurm: k8s: NotReady") == "not_ready");
    CHECK(drain_cause_label("kubeslurm: k8s: taint example.com/x") == "taint");
    CHECK(drain_cause_label("kubeslurm: host.membw: 1 < 2 GB/s") == "health_check");
    CHECK(drain_cause_label("maintenance by bob") == "");
}
