#include <catch2/catch.hpp>

#include <string>

#include "spank/core/report.h"

using namespace ks::spank;

namespace {

std::string doc(const std::string& status, const std::string& results, const std::string& culprits = "[]") {
    return R"({"schema": "kubeslurm.gpucheck/v1", "node": "n3", "job_id": 12, "level": "nccl", "status": ")" +
           status + R"(", "duration_s": 1.5, "results": [)" + results + R"(], "culprits": )" + culprits + "}";
}

ks::ChildOutcome ran(int exit_code, const std::string& out) {
    ks::ChildOutcome r;
    r.started = true;
    r.exit_code = exit_code;
    r.stdout_text = out;
    return r;
}

const std::string kPass = R"({"check": "hostnet.allreduce", "status": "pass", "value": 900, "threshold": 100,
                             "unit": "MB/s", "comparison": ">="})";
const std::string kSkip = R"({"check": "gpu.count", "status": "skip", "detail": "no GPU"})";
const std::string kOwnFail = R"({"check": "hostnet.bandwidth", "status": "fail", "value": 12.3,
                                "threshold": 100.0, "unit": "MB/s", "comparison": ">=", "blame": "self"})";
const std::string kPeerFail = R"({"check": "rendezvous", "status": "fail", "detail": "n4 never arrived",
                                 "blame": "peers", "peers": ["n4"]})";

}  // namespace

TEST_CASE("a passing report lets the job run and lists its checks") {
    auto d = decide(ran(0, doc("pass", kPass + "," + kSkip)), OnError::Run, 60);
    CHECK(d.result == "pass");
    CHECK_FALSE(d.drain);
    CHECK_FALSE(d.fail);
    CHECK(d.checks == "hostnet.allreduce=pass,gpu.count=skip");
    CHECK_THAT(d.summary, Catch::Contains("1 pass") && Catch::Contains("1 skip"));
}

TEST_CASE("this node's own failure drains it with the measured figure against the threshold") {
    auto d = decide(ran(1, doc("fail", kPass + "," + kOwnFail)), OnError::Run, 60);
    CHECK(d.result == "fail");
    CHECK(d.drain);
    CHECK(d.fail);
    CHECK(d.reason == "kubeslurm: hostnet.bandwidth: 12.30 < 100 MB/s");
}

TEST_CASE("the reason negates the comparison the check required, or carries the detail") {
    const std::string hot = R"({"check": "gpu.temperature", "status": "fail", "value": 91, "threshold": 84,
                               "unit": "C", "comparison": "<="})";
    CHECK(decide(ran(1, doc("fail", hot)), OnError::Run, 60).reason == "kubeslurm: gpu.temperature: 91 > 84 C");
    const std::string unreadable = R"({"check": "gpu.temperature", "status": "fail", "detail": "sensor unreadable"})";
    CHECK(decide(ran(1, doc("fail", unreadable)), OnError::Run, 60).reason ==
          "kubeslurm: gpu.temperature: sensor unreadable");
}

TEST_CASE("a failure blamed on peers never drains this node") {
    auto d = decide(ran(0, doc("pass", kPass + "," + kPeerFail, R"(["n4"])")), OnError::Run, 60);
    CHECK_FALSE(d.drain);
    CHECK_FALSE(d.fail);
    CHECK_THAT(d.summary, Catch::Contains("culprits: n4"));

    // Even a checker that wrongly says "fail" for a peer's fault does not drain this node.
    auto wrong = decide(ran(1, doc("fail", kPeerFail, R"(["n4"])")), OnError::Run, 60);
    CHECK_FALSE(wrong.drain);
    CHECK_FALSE(wrong.fail);
}

TEST_CASE("a checker killed at the deadline drains with a timeout reason") {
    ks::ChildOutcome r;
    r.started = true;
    r.timed_out = true;
    r.signal = 15;
    auto d = decide(r, OnError::Run, 10);
    CHECK(d.result == "timeout");
    CHECK(d.drain);
    CHECK(d.fail);
    CHECK(d.reason == "kubeslurm: gpucheck: timeout after 10 s");
}

TEST_CASE("a check that timed out inside the checker names itself") {
    const std::string hung = R"({"check": "gpu.gemm", "status": "timeout", "threshold": 8, "unit": "s"})";
    auto d = decide(ran(2, doc("timeout", hung)), OnError::Run, 60);
    CHECK(d.drain);
    CHECK(d.reason == "kubeslurm: gpu.gemm: timeout after 8 s");
}

TEST_CASE("checker errors follow OnCheckerError") {
    ks::ChildOutcome missing;
    missing.failure = "cannot execute /x: No such file or directory";
    auto run = decide(missing, OnError::Run, 60);
    CHECK(run.result == "error");
    CHECK_FALSE(run.drain);
    CHECK_FALSE(run.fail);

    auto drain = decide(missing, OnError::Drain, 60);
    CHECK(drain.drain);
    CHECK(drain.fail);
    CHECK_THAT(drain.reason, Catch::StartsWith("kubeslurm: gpucheck: error: cannot execute /x"));

    auto fail = decide(missing, OnError::Fail, 60);
    CHECK_FALSE(fail.drain);
    CHECK(fail.fail);

    auto garbage = decide(ran(0, "Segmentation fault"), OnError::Run, 60);
    CHECK(garbage.result == "error");
    CHECK_FALSE(garbage.fail);

    auto usage = decide(ran(64, ""), OnError::Drain, 60);
    CHECK(usage.result == "error");
    CHECK_THAT(usage.summary, Catch::Contains("exit 64"));

    const std::string broken = R"({"check": "gpu.nvml", "status": "error", "detail": "libnvidia-ml missing"})";
    auto reported = decide(ran(3, doc("error", broken)), OnError::Run, 60);
    CHECK(reported.result == "error");
    CHECK_THAT(reported.summary, Catch::Contains("gpu.nvml: libnvidia-ml missing"));
}

TEST_CASE("reports of another schema or malformed results are rejected") {
    CHECK_FALSE(parse_report(R"({"schema": "other/v2", "status": "pass"})").ok());
    CHECK_FALSE(parse_report("[1, 2]").ok());
    CHECK_FALSE(parse_report(doc("great", kPass)).ok());
    CHECK_FALSE(parse_report(doc("pass", R"({"status": "pass"})")).ok());
    auto ok = parse_report(doc("pass", kPass));
    REQUIRE(ok.ok());
    CHECK(ok->node == "n3");
    CHECK(ok->results.at(0).threshold == Approx(100));
    CHECK(ok->status == ks::health::Status::Pass);
}

TEST_CASE("long or multi-line details are clipped into one reason line") {
    ks::health::CheckResult r;
    r.check = "x";
    r.status = ks::health::Status::Fail;
    r.detail = std::string(500, 'a') + "\nsecond line";
    auto reason = gate_reason(r);
    CHECK(reason.size() <= 200);
    CHECK(reason.find('\n') == std::string::npos);
}
