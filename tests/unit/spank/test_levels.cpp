#include <catch2/catch.hpp>

#include "spank/core/levels.h"

using namespace ks::spank;

namespace {

ks::config::Config conf(std::string_view text) {
    auto c = ks::config::Config::parse(text, "test.conf");
    REQUIRE(c.ok());
    return c.value();
}

}  // namespace

TEST_CASE("check levels parse, print and order") {
    CHECK(parse_level("nccl") == CheckLevel::Nccl);
    CHECK(level_name(CheckLevel::Full) == "full");
    CHECK_FALSE(parse_level("NCCL"));
    CHECK_FALSE(parse_level(""));
    CHECK(CheckLevel::Off < CheckLevel::Quick);
    CHECK(CheckLevel::Nccl < CheckLevel::Full);
    CHECK(valid_topology("block"));
    CHECK_FALSE(valid_topology("ring"));
}

TEST_CASE("the partition default comes from PartitionGpuCheck, else GpuCheck") {
    auto cfg = conf("GpuCheck=quick\nPartitionGpuCheck=gpu:nccl,debug:off\n");
    CHECK(level_policy(cfg, "gpu").default_level == CheckLevel::Nccl);
    CHECK(level_policy(cfg, "debug").default_level == CheckLevel::Off);
    CHECK(level_policy(cfg, "other").default_level == CheckLevel::Quick);
    CHECK(level_policy(cfg, "").default_level == CheckLevel::Quick);
}

TEST_CASE("off is refused unless the admin allows it") {
    auto strict = level_policy(conf("GpuCheck=quick\n"), "gpu");
    auto r = resolve_level(CheckLevel::Off, strict);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error(), Catch::Contains("--gpu-check=off") && Catch::Contains("AllowCheckOff=no") &&
                              Catch::Contains("partition gpu"));

    auto lenient = level_policy(conf("AllowCheckOff=yes\n"), "");
    REQUIRE(resolve_level(CheckLevel::Off, lenient).ok());
    CHECK(resolve_level(CheckLevel::Off, lenient).value() == CheckLevel::Off);
}

TEST_CASE("a partition whose default is off accepts off without AllowCheckOff") {
    auto p = level_policy(conf("PartitionGpuCheck=debug:off\n"), "debug");
    auto r = resolve_level(CheckLevel::Off, p);
    REQUIRE(r.ok());
    CHECK(r.value() == CheckLevel::Off);
    CHECK(resolve_level(std::nullopt, p).value() == CheckLevel::Off);
}

TEST_CASE("lowering below the default needs AllowLowerCheck; raising is always allowed") {
    auto cfg = conf("GpuCheck=nccl\nAllowLowerCheck=no\n");
    auto p = level_policy(cfg, "");
    auto low = resolve_level(CheckLevel::Quick, p);
    REQUIRE_FALSE(low.ok());
    CHECK_THAT(low.error(), Catch::Contains("below the level nccl") && Catch::Contains("AllowLowerCheck=no"));
    CHECK(resolve_level(CheckLevel::Full, p).value() == CheckLevel::Full);
    CHECK(resolve_level(std::nullopt, p).value() == CheckLevel::Nccl);

    auto lenient = level_policy(conf("GpuCheck=nccl\n"), "");
    CHECK(resolve_level(CheckLevel::Quick, lenient).value() == CheckLevel::Quick);
}
