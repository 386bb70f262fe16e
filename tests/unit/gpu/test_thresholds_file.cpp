// The shipped 10-gpu.conf uses only keys the backend reads, numbers only, and gives every GPU
// model the absolute floors of the prolog's measuring checks.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include "common/strings.h"
#include "health/gpu/thresholds.h"

using namespace ks;

TEST_CASE("shipped GPU thresholds file is consistent") {
    std::ifstream in(std::string(KUBESLURM_SOURCE_DIR) + "/src/health/gpu/thresholds.d/10-gpu.conf");
    REQUIRE(in.good());
    const std::set<std::string_view> known = {
        gpu::key::HbmMin, gpu::key::GemmMin, gpu::key::H2dMin, gpu::key::D2hMin, gpu::key::P2pMin,
        gpu::key::AllreduceMin, gpu::key::MultinodeMin, gpu::key::TemperatureMax, gpu::key::RetiredPagesMax,
        gpu::key::CorrectedEccMax, gpu::key::NvlinkErrorsMax, gpu::key::RelativeTolerance};
    std::map<std::string, std::map<std::string, double>> sections;
    std::string section, line;
    int lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        auto t = str::trim(line);
        if (t.empty() || t[0] == '#') continue;
        if (t.front() == '[') {
            REQUIRE(t.back() == ']');
            section = std::string(t.substr(1, t.size() - 2));
            INFO("line " << lineno << ": " << section);
            CHECK((section == "default" || str::starts_with(section, "sku \"")));
            CHECK(sections.count(section) == 0);
            sections[section];
            continue;
        }
        INFO("line " << lineno << ": " << line);
        auto eq = t.find('=');
        REQUIRE(eq != std::string_view::npos);
        std::string k(str::trim(t.substr(0, eq)));
        CHECK(known.count(k) == 1);
        auto v = str::to_double(str::trim(t.substr(eq + 1)));
        REQUIRE(v);
        CHECK(*v > 0);
        sections[section][k] = *v;
    }
    CHECK(sections["default"].count(std::string(gpu::key::TemperatureMax)) == 1);
    for (const char* sku : {"sku \"NVIDIA H100 80GB HBM3\"", "sku \"NVIDIA H200\"", "sku \"NVIDIA H100 PCIe\"",
                            "sku \"NVIDIA A100-SXM4-80GB\"", "sku \"NVIDIA B200\"", "sku \"NVIDIA GB200\""}) {
        INFO(sku);
        REQUIRE(sections.count(sku) == 1);
        CHECK(sections[sku].count(std::string(gpu::key::HbmMin)) == 1);
        CHECK(sections[sku].count(std::string(gpu::key::GemmMin)) == 1);
    }
    // H200 has more memory bandwidth than H100 SXM, and the same compute.
    CHECK(sections["sku \"NVIDIA H200\""]["gpu.hbm_bandwidth.min_gbps"] > sections["sku \"NVIDIA H100 80GB HBM3\""]["gpu.hbm_bandwidth.min_gbps"]);
}
