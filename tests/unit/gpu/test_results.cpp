#include <catch2/catch.hpp>

#include "health/gpu/bandwidth.h"
#include "health/gpu/check_result.h"
#include "health/gpu/nvml_decode.h"

using namespace ks::gpu;

TEST_CASE("result JSON carries the contract's fields") {
    auto r = judge("gpu.pcie_h2d", 40.0, 48.0, "GB/s", Comparison::AtLeast, 2);
    CHECK(r.status == Status::Fail);
    auto j = r.to_json();
    CHECK(j["check"] == "gpu.pcie_h2d");
    CHECK(j["status"] == "fail");
    CHECK(j["value"] == 40.0);
    CHECK(j["threshold"] == 48.0);
    CHECK(j["comparison"] == ">=");
    CHECK(j["unit"] == "GB/s");
    CHECK(j["device"] == 2);
    CHECK_FALSE(j.contains("blame"));

    r.blame_peers = true;
    CHECK(r.to_json()["blame"] == "peers");
    auto t = timeout("gpu.nccl_multinode", 12.4);
    CHECK(t.to_json()["status"] == "timeout");
    CHECK(t.detail == "timeout after 12 s");
    CHECK(judge("gpu.temperature", 85, 84, "C", Comparison::AtMost).status == Status::Fail);
    CHECK(judge("gpu.temperature", 84, 84, "C", Comparison::AtMost).status == Status::Pass);
}

TEST_CASE("worst status orders timeout > error > fail > pass > skip") {
    std::vector<CheckResult> rs = {skip("a", "x"), judge("b", 1, 0, "", Comparison::AtLeast)};
    CHECK(worst(rs) == Status::Pass);
    rs.push_back(judge("c", 0, 1, "", Comparison::AtLeast));
    CHECK(worst(rs) == Status::Fail);
    rs.push_back(error("d", "no"));
    CHECK(worst(rs) == Status::Error);
    rs.push_back(timeout("e", 1));
    CHECK(worst(rs) == Status::Timeout);
    CHECK(worst({}) == Status::Skip);
}

TEST_CASE("nccl-tests bandwidth formulas") {
    // 1 GB per rank in 10 ms on 8 ranks: algbw 100 GB/s, busbw 175 GB/s.
    CHECK(gbps(1e9, 0.01) == Approx(100.0));
    CHECK(allreduce_busbw(1e9, 0.01, 8) == Approx(175.0));
    CHECK(allreduce_busbw(1e9, 0.01, 1) == Approx(0.0));
    CHECK(allgather_busbw(8e9, 0.1, 8) == Approx(70.0));
    CHECK(gbps(1, 0) == 0.0);
    // 8192^3 bf16 GEMM in 1.5 ms: 733 TFLOP/s.
    CHECK(gemm_tflops(8192, 8192, 8192, 1.5e-3) == Approx(733.0).epsilon(0.001));
}

TEST_CASE("critical Xids and throttle reasons") {
    CHECK(is_critical_xid(79));
    CHECK(is_critical_xid(48));
    CHECK_FALSE(is_critical_xid(13));
    CHECK_FALSE(is_critical_xid(31));
    CHECK(critical_xids().size() == 18);
    CHECK(throttle_names(0) == "none");
    CHECK(throttle_names(throttle::HwSlowdown | throttle::HwThermal) == "hw_slowdown,hw_thermal");
    CHECK(throttle_names(0x1000) == "0x1000");
    CHECK((throttle::Harmful & throttle::GpuIdle) == 0);
    CHECK((throttle::Harmful & throttle::HwPowerBrake) != 0);
}
