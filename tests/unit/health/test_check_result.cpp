#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "health/check_result.h"

using namespace ks::health;

namespace {

// What the GPU backend wrote before the checker and the backend shared one result type
// (ks::gpu::CheckResult::to_json at 622ef26), byte for byte: the ABI between them.
const char* const kBackendGolden =
    R"J([{"check":"gpu.pcie_h2d","comparison":">=","device":2,"status":"fail","threshold":48.0,"unit":"GB/s","value":40.0},)J"
    R"J({"check":"gpu.temperature","comparison":"<=","device":0,"status":"pass","threshold":84.0,"unit":"C","value":84.0},)J"
    R"J({"check":"gpu.nccl_multinode","detail":"single node: no multi-node all-reduce","status":"skip"},)J"
    R"J({"check":"gpu.hbm_bandwidth","detail":"out of memory","device":3,"status":"error"},)J"
    R"J({"check":"gpu.nccl_allreduce","detail":"timeout after 12 s","status":"timeout","unit":"s","value":12.4},)J"
    R"J({"blame":"peers","check":"gpu.hbm_bandwidth","detail":"timeout after 30 s (a CUDA call did not return)","device":1,"status":"timeout","unit":"s","value":30.0},)J"
    R"J({"check":"gpu.inventory","detail":"8 x NVIDIA H200, driver 570.1","driver_version":"570.1","gpus":[0,1,2,3],"gpus_on_node":8,"sku":"NVIDIA H200","status":"pass","unit":"GPUs","value":8.0},)J"
    R"J({"check":"gpu.nccl_allreduce","detail":"no busbw threshold","ranks":8,"status":"pass","unit":"GB/s","value":350.25},)J"
    R"J({"check":"gpu.hbm_bandwidth","comparison":">=","detail":"no threshold for this SKU","device":5,"relative":true,"status":"pass","threshold":3900.0,"unit":"GB/s","value":4100.5}])J";

// The same results built the way the backend's checks build them now.
std::vector<CheckResult> backend_results() {
    std::vector<CheckResult> v;
    v.push_back(measured("gpu.pcie_h2d", 40.0, ">=", 48.0, "GB/s", {}, 2));
    v.push_back(measured("gpu.temperature", 84, "<=", 84, "C", {}, 0));
    v.push_back(skipped("gpu.nccl_multinode", "single node: no multi-node all-reduce"));
    v.push_back(errored("gpu.hbm_bandwidth", "out of memory", 3));
    v.push_back(gave_up("gpu.nccl_allreduce", 12.4));
    CheckResult t = gave_up("gpu.hbm_bandwidth", 30, 1);
    t.detail += " (a CUDA call did not return)";
    t.blame = Blame::Peers;
    v.push_back(t);
    CheckResult inv;
    inv.check = "gpu.inventory";
    inv.value = 8;
    inv.unit = "GPUs";
    inv.detail = "8 x NVIDIA H200, driver 570.1";
    inv.extra["sku"] = "NVIDIA H200";
    inv.extra["gpus"] = {0, 1, 2, 3};
    inv.extra["gpus_on_node"] = 8;
    inv.extra["driver_version"] = "570.1";
    v.push_back(inv);
    CheckResult n = measured("gpu.nccl_allreduce", 350.25, ">=", 0, "GB/s");
    n.threshold.reset();
    n.detail = "no busbw threshold";
    n.extra["ranks"] = 8;
    v.push_back(n);
    CheckResult rel = measured("gpu.hbm_bandwidth", 4100.5, ">=", 3900.0, "GB/s", "no threshold for this SKU", 5);
    rel.extra["relative"] = true;
    v.push_back(rel);
    return v;
}

}  // namespace

TEST_CASE("the backend's JSON is byte for byte what it was before the result types merged") {
    CHECK(to_backend_array(backend_results()).dump() == kBackendGolden);
    // One result in braces is an array of one, as the backend's error answer writes it.
    CHECK(to_backend_array({errored("gpu", "bad request")}).dump() ==
          R"J([{"check":"gpu","detail":"bad request","status":"error"}])J");
}

TEST_CASE("backend JSON round-trips through the checker's parser unchanged, extra fields included") {
    auto parsed = nlohmann::json::parse(kBackendGolden);
    std::vector<CheckResult> back;
    for (const auto& item : parsed) {
        auto r = result_from_json(item);
        REQUIRE(r.ok());
        back.push_back(r.value());
    }
    CHECK(to_backend_array(back).dump() == kBackendGolden);
    CHECK(back[0].device == 2);
    CHECK(back[0].comparison == ">=");
    CHECK(back[2].status == Status::Skip);
    CHECK_FALSE(back[2].device.has_value());
    CHECK(back[5].blame == Blame::Peers);
    CHECK(back[6].extra["sku"] == "NVIDIA H200");
    CHECK_FALSE(back[6].extra.contains("check"));
    // A report entry carries no backend extras (the checker's report format is unchanged).
    CHECK_FALSE(to_json(back[6]).contains("sku"));
}

TEST_CASE("report entries keep every field in their order and round-trip") {
    // The checker's report entries at 622ef26, byte for byte.
    auto a = measured("host.memory", 12.5, ">=", 16, "GiB", "free memory", 1);
    const std::string golden_a =
        R"J({"check":"host.memory","status":"fail","value":12.5,"threshold":16.0,"unit":"GiB","comparison":">=",)J"
        R"J("detail":"free memory","blame":"self","peers":[],"device":1})J";
    auto b = blamed_on_peers("host.ring", Status::Error, {"n2", "n3"}, "n2, n3 did not arrive");
    const std::string golden_b =
        R"J({"check":"host.ring","status":"error","value":null,"threshold":null,"unit":"","comparison":"",)J"
        R"J("detail":"n2, n3 did not arrive","blame":"peers","peers":["n2","n3"]})J";
    auto c = timed_out("gpucheck", 60);
    const std::string golden_c =
        R"J({"check":"gpucheck","status":"timeout","value":60.0,"threshold":60.0,"unit":"s","comparison":"<=",)J"
        R"J("detail":"no result within the deadline; the check was abandoned","blame":"self","peers":[]})J";
    for (const auto& [r, golden] : {std::pair{a, golden_a}, {b, golden_b}, {c, golden_c}}) {
        CHECK(to_json(r).dump() == golden);
        auto back = result_from_json(nlohmann::json::parse(golden));
        REQUIRE(back.ok());
        CHECK(to_json(back.value()).dump() == golden);
        CHECK(back->extra.empty());
    }
}

TEST_CASE("a malformed result is an error naming what is wrong") {
    CHECK_THAT(result_from_json(nlohmann::json::array()).error(), Catch::Contains("not a JSON object"));
    CHECK_THAT(result_from_json(nlohmann::json{{"status", "pass"}}).error(), Catch::Contains("no \"check\""));
    CHECK_THAT(result_from_json(nlohmann::json{{"check", "x"}, {"status", "great"}}).error(),
               Catch::Contains("unknown status 'great'"));
}
