#include <catch2/catch.hpp>

#include "health/gpu/thresholds.h"

using namespace ks::gpu;

TEST_CASE("thresholds: numbers only, tolerance defaults to 5%") {
    auto t = Thresholds::from_json({{"gpu.hbm_bandwidth.min_gbps", 2650}, {"gpu.temperature.max_c", 84}});
    REQUIRE(t.ok());
    CHECK(t->get(key::HbmMin) == 2650.0);
    CHECK_FALSE(t->get(key::GemmMin));
    CHECK(t->tolerance() == Approx(0.05));

    auto bad = Thresholds::from_json({{"gpu.hbm_bandwidth.min_gbps", "fast"}});
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error(), Catch::Contains("gpu.hbm_bandwidth.min_gbps"));
    CHECK_FALSE(Thresholds::from_json(nlohmann::json::array()).ok());
    CHECK_FALSE(Thresholds::from_json({{"gpu.relative_tolerance", 1.5}}).ok());
    CHECK(Thresholds::from_json({{"gpu.relative_tolerance", 0.1}})->tolerance() == Approx(0.1));
    CHECK(Thresholds::from_json(nullptr).ok());
}

TEST_CASE("median of even and odd sets") {
    CHECK(median({3, 1, 2}) == 2.0);
    CHECK(median({4, 1, 3, 2}) == 2.5);
    CHECK(median({}) == 0.0);
}

TEST_CASE("per-device judgement: absolute floor and node median") {
    std::vector<DeviceFigure> figs = {{0, 3000}, {1, 2990}, {2, 3010}, {3, 2700}};

    SECTION("a GPU above the floor but 10% below its siblings fails") {
        auto r = judge_devices("gpu.hbm_bandwidth", "GB/s", ">=", figs, 2650.0, 0.05);
        REQUIRE(r.size() == 4);
        CHECK(r[0].status == Status::Pass);
        CHECK(r[0].threshold == 2650.0);
        CHECK(r[3].status == Status::Fail);
        CHECK(r[3].device == 3);
        CHECK(*r[3].threshold == Approx(2995 * 0.95));
        CHECK_THAT(r[3].detail, Catch::Contains("median"));
    }
    SECTION("below the absolute floor fails even when all GPUs agree") {
        std::vector<DeviceFigure> slow = {{0, 2000}, {1, 2001}};
        auto r = judge_devices("gpu.hbm_bandwidth", "GB/s", ">=", slow, 2650.0, 0.05);
        CHECK(r[0].status == Status::Fail);
        CHECK(r[0].threshold == 2650.0);
        CHECK(r[1].status == Status::Fail);
    }
    SECTION("unknown SKU: relative only, marked as such") {
        auto r = judge_devices("gpu.gemm_bf16", "TFLOP/s", ">=", figs, std::nullopt, 0.05);
        CHECK(r[0].status == Status::Pass);
        CHECK(r[3].status == Status::Fail);
        CHECK(ks::health::to_backend_json(r[0]).value("relative", false));
        CHECK_THAT(r[0].detail, Catch::Contains("no threshold"));
    }
    SECTION("lower-is-better comparison") {
        std::vector<DeviceFigure> temps = {{0, 60}, {1, 61}, {2, 90}};
        auto r = judge_devices("gpu.temperature", "C", "<=", temps, 84.0, 0.5);
        CHECK(r[0].status == Status::Pass);
        CHECK(r[2].status == Status::Fail);
    }
    SECTION("a single GPU without threshold is recorded, not judged") {
        auto r = judge_devices("gpu.hbm_bandwidth", "GB/s", ">=", {{0, 1.0}}, std::nullopt, 0.05);
        CHECK(r[0].status == Status::Pass);
        CHECK_FALSE(r[0].threshold);
    }
}
