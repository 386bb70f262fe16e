#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "health/report.h"

using namespace ks::health;

namespace {

Report sample() {
    Report r;
    r.node = "n3";
    r.job_id = 12;
    r.level = Level::Nccl;
    r.duration_s = 1.25;
    r.results.push_back(measured("host.membw", 7.5, ">=", 5, "GB/s", "4 copies of 32 MiB"));
    r.results.push_back(skipped("gpu", "GPU backend not loaded"));
    r.results.push_back(blamed_on_peers("rendezvous", Status::Fail, {"n4", "n3"}, "never arrived: n4"));
    return r;
}

}  // namespace

TEST_CASE("a measured figure is judged by its comparison") {
    CHECK(measured("a", 10, ">=", 10, "x").status == Status::Pass);
    CHECK(measured("a", 9.9, ">=", 10, "x").status == Status::Fail);
    CHECK(measured("a", 11, "<=", 10, "x").status == Status::Fail);
    CHECK(measured("a", 1, "~", 1, "x").status == Status::Error);
}

TEST_CASE("results blamed on peers never fail this node") {
    auto r = sample();
    CHECK(verdict(r.results) == Status::Pass);
    CHECK(exit_code(verdict(r.results)) == kExitPass);
    CHECK(culprits(r.results, "n3") == std::vector<std::string>{"n4"});
    CHECK(deciding_result(r.results) == nullptr);
}

TEST_CASE("verdict order: fail > timeout > error > pass, skips pass") {
    std::vector<CheckResult> rs{skipped("a", "-")};
    CHECK(verdict(rs) == Status::Pass);
    rs.push_back(errored("b", "could not run"));
    CHECK(verdict(rs) == Status::Error);
    CHECK(exit_code(verdict(rs)) == kExitError);
    rs.push_back(timed_out("c", 5));
    CHECK(verdict(rs) == Status::Timeout);
    CHECK(exit_code(verdict(rs)) == kExitTimeout);
    rs.push_back(measured("d", 1, ">=", 2, "GB/s"));
    CHECK(verdict(rs) == Status::Fail);
    CHECK(exit_code(verdict(rs)) == kExitFail);
    REQUIRE(deciding_result(rs) != nullptr);
    CHECK(deciding_result(rs)->check == "d");
}

TEST_CASE("drain reasons follow the gate's format") {
    CHECK(drain_reason(measured("host.membw", 0.8, ">=", 1, "GB/s")) == "kubeslurm: host.membw: 0.8 < 1 GB/s");
    CHECK(drain_reason(measured("hostnet.latency", 7000, "<=", 5000, "us")) ==
          "kubeslurm: hostnet.latency: 7000 > 5000 us");
    CHECK(drain_reason(timed_out("gpu.nccl", 12)) == "kubeslurm: gpu.nccl: timeout after 12 s");
    CHECK(drain_reason(errored("gpu", "no driver")) == "kubeslurm: gpu: no driver");
}

TEST_CASE("JSON report follows the v1 schema") {
    auto j = report_json(sample());
    CHECK(j["schema"] == "kubeslurm.gpucheck/v1");
    CHECK(j["node"] == "n3");
    CHECK(j["job_id"] == 12);
    CHECK(j["level"] == "nccl");
    CHECK(j["status"] == "pass");
    CHECK(j["duration_s"] == 1.25);
    CHECK(j["culprits"] == nlohmann::json::array({"n4"}));
    REQUIRE(j["results"].size() == 3);
    const auto& bw = j["results"][0];
    CHECK(bw["check"] == "host.membw");
    CHECK(bw["status"] == "pass");
    CHECK(bw["value"] == 7.5);
    CHECK(bw["threshold"] == 5.0);
    CHECK(bw["unit"] == "GB/s");
    CHECK(bw["comparison"] == ">=");
    CHECK(bw["blame"] == "self");
    CHECK(j["results"][1]["value"].is_null());
    CHECK(j["results"][2]["blame"] == "peers");
    CHECK(j["results"][2]["peers"] == nlohmann::json::array({"n4", "n3"}));
    // Round trip through the parser the GPU backend's results go through.
    auto back = result_from_json(nlohmann::json::parse(j["results"][0].dump()));
    REQUIRE(back.ok());
    CHECK(back->value == 7.5);
    CHECK(back->status == Status::Pass);
    CHECK_FALSE(result_from_json(nlohmann::json{{"check", "x"}, {"status", "great"}}).ok());
}

TEST_CASE("table rendering (golden)") {
    const std::string expected =
        "node n3  job 12  level nccl  1.25 s\n"
        "CHECK       STATUS  VALUE  THRESHOLD  UNIT  DETAIL\n"
        "host.membw  pass     7.50       >= 5  GB/s  4 copies of 32 MiB\n"
        "gpu         skip        -          -  -     GPU backend not loaded\n"
        "rendezvous  fail        -          -  -     blames n4,n3: never arrived: n4\n"
        "verdict: pass; other nodes at fault: n4\n";
    CHECK(render_table(sample()) == expected);
}
