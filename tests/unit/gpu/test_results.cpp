#include <catch2/catch.hpp>

#include "health/gpu/bandwidth.h"
#include "health/check_result.h"
#include "health/gpu/nvml_decode.h"

using namespace ks::gpu;
using namespace ks::health;

TEST_CASE("result JSON carries the contract's fields") {
    auto r = measured("gpu.pcie_h2d", 40.0, ">=", 48.0, "GB/s", {}, 2);
    CHECK(r.status == Status::Fail);
    auto j = to_backend_json(r);
    CHECK(j["check"] == "gpu.pcie_h2d");
    CHECK(j["status"] == "fail");
    CHECK(j["value"] == 40.0);
    CHECK(j["threshold"] == 48.0);
    CHECK(j["comparison"] == ">=");
    CHECK(j["unit"] == "GB/s");
    CHECK(j["device"] == 2);
    CHECK_FALSE(j.contains("blame"));

    r.blame = Blame::Peers;
    CHECK(to_backend_json(r)["blame"] == "peers");
    auto t = gave_up("gpu.nccl_multinode", 12.4);
    CHECK(to_backend_json(t)["status"] == "timeout");
    CHECK(t.detail == "timeout after 12 s");
    CHECK(measured("gpu.temperature", 85, "<=", 84, "C").status == Status::Fail);
    CHECK(measured("gpu.temperature", 84, "<=", 84, "C").status == Status::Pass);
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
