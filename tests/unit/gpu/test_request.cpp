#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "health/gpu/request.h"

using namespace ks::gpu;

TEST_CASE("backend request parsing") {
    auto r = parse_request(R"({"check": "gpu.hbm_bandwidth", "devices": [0, 3], "level": "burnin",
                              "duration_s": 120, "deadline_s": 300,
                              "thresholds": {"gpu.hbm_bandwidth.min_gbps": 2650}})");
    REQUIRE(r.ok());
    CHECK(r->check == "gpu.hbm_bandwidth");
    CHECK(r->devices == std::vector<int>{0, 3});
    CHECK(r->level == Level::Burnin);
    CHECK(r->thresholds.get(key::HbmMin) == 2650.0);
    CHECK(measuring_seconds(*r) == Approx(120.0));  // the checker already gave this check its part
    r->duration_s = 0;                              // no duration: its weight's part of 60 s
    CHECK(measuring_seconds(*r) == Approx(60 * find_check("gpu.hbm_bandwidth")->burnin_weight));
    // The GEMM is the stress test and gets the largest part; passive checks measure no duration.
    CHECK(find_check("gpu.gemm_bf16")->burnin_weight > find_check("gpu.pcie")->burnin_weight);
    CHECK(find_check("gpu.passive")->burnin_weight == 0);

    auto q = parse_request(R"({"check": "gpu.gemm_bf16", "level": "quick", "deadline_s": 0.5})");
    REQUIRE(q.ok());
    CHECK(q->devices.empty());
    CHECK(measuring_seconds(*q) == Approx(0.4));  // never beyond 80% of the deadline

    CHECK_FALSE(parse_request("not json").ok());
    CHECK_FALSE(parse_request(R"({"devices": [0]})").ok());
    CHECK_THAT(parse_request(R"({"check": "x", "devices": [-1]})").error(), Catch::Contains("GPU index"));
    CHECK_THAT(parse_request(R"({"check": "x", "level": "slow"})").error(), Catch::Contains("level"));
    CHECK_THAT(parse_request(R"({"check": "x", "deadline_s": -3})").error(), Catch::Contains("deadline_s"));
    CHECK_FALSE(parse_request(R"({"check": "x", "thresholds": {"a": "b"}})").ok());
}

TEST_CASE("check catalogue lists levels for the ABI") {
    auto j = nlohmann::json::parse(catalogue_json());
    REQUIRE(j.is_array());
    REQUIRE(j.size() == catalogue().size());
    bool multinode_in_quick = false, hbm_in_quick = false;
    for (const auto& c : j) {
        CHECK(c["name"].get<std::string>().rfind("gpu.", 0) == 0);
        CHECK_FALSE(c["description"].get<std::string>().empty());
        for (const auto& l : c["levels"]) {
            if (c["name"] == "gpu.nccl_multinode" && l == "quick") multinode_in_quick = true;
            if (c["name"] == "gpu.hbm_bandwidth" && l == "quick") hbm_in_quick = true;
        }
        CHECK(c["multi_node"] == (c["name"] == "gpu.nccl_multinode"));
        CHECK(c["burnin_weight"] == find_check(c["name"].get<std::string>())->burnin_weight);
    }
    CHECK_FALSE(multinode_in_quick);
    CHECK(hbm_in_quick);
    CHECK(find_check("gpu.pcie") != nullptr);
    CHECK(find_check("gpu.nope") == nullptr);
    Level l;
    CHECK(parse_level("nccl", l));
    CHECK(l == Level::Nccl);
    CHECK_FALSE(parse_level("QUICK", l));
}
