#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "health/thresholds.h"

using ks::health::Thresholds;

namespace {

Thresholds parsed(std::initializer_list<std::pair<const char*, const char*>> files) {
    Thresholds t;
    for (auto& [origin, text] : files) {
        auto st = t.parse(text, origin);
        INFO(st.error());
        REQUIRE(st.ok());
    }
    return t;
}

}  // namespace

TEST_CASE("node beats sku beats default, whatever the file order") {
    auto t = parsed({{"00-host.conf", "[node \"n3\"]\nx = 3\n[default]\nx = 1\ny = 1\n"},
                     {"10-gpu.conf", "[sku \"NVIDIA H100 80GB HBM3\"]\nx = 2\ny = 2\n[default]\nx = 9\n"}});
    auto n3 = t.resolve("NVIDIA H100 80GB HBM3", "n3");
    CHECK(n3.get("x") == 3.0);
    CHECK(n3.get("y") == 2.0);
    auto n4 = t.resolve("nvidia h100 80gb hbm3", "n4");  // SKU match is case-insensitive
    CHECK(n4.get("x") == 2.0);
    auto other = t.resolve("NVIDIA H200", "n4");
    CHECK(other.get("x") == 9.0);  // later file wins within [default]
    CHECK(other.get("y") == 1.0);
    CHECK_FALSE(other.get("z").has_value());
    CHECK(other.get_or("z", 7) == 7);
}

TEST_CASE("site file overrides the shipped directory") {
    namespace fs = std::filesystem;
    auto dir = fs::temp_directory_path() / ("ks-thr-" + std::to_string(::getpid()));
    fs::create_directories(dir / "d");
    std::ofstream(dir / "d" / "10-gpu.conf") << "[default]\na = 2\n";
    std::ofstream(dir / "d" / "00-host.conf") << "[default]\na = 1\nb = 1\n";
    std::ofstream(dir / "d" / "README") << "not a conf file [\n";
    std::ofstream(dir / "site.conf") << "[node \"n1\"]\nb = 5\n";
    auto t = Thresholds::load(dir / "d", dir / "site.conf");
    REQUIRE(t.ok());
    CHECK(t->sources().size() == 3);
    CHECK(t->resolve("", "n1").get("a") == 2.0);
    CHECK(t->resolve("", "n1").get("b") == 5.0);
    CHECK(t->resolve("", "n2").get("b") == 1.0);
    // A missing site file is fine, a missing directory is not.
    CHECK(Thresholds::load(dir / "d", dir / "absent.conf").ok());
    auto missing = Thresholds::load(dir / "nodir", "");
    REQUIRE_FALSE(missing.ok());
    CHECK_THAT(missing.error(), Catch::Contains("thresholds directory not found"));
    fs::remove_all(dir);
}

TEST_CASE("thresholds errors name file and line") {
    Thresholds t;
    SECTION("not a number") {
        auto st = t.parse("[default]\nx = fast\n", "site.conf");
        REQUIRE_FALSE(st.ok());
        CHECK(st.error() == "site.conf:2: x: 'fast' is not a number");
    }
    SECTION("key before any section") {
        auto st = t.parse("x = 1\n", "a.conf");
        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error(), Catch::StartsWith("a.conf:1: x: key outside a section"));
    }
    SECTION("bad section") {
        auto st = t.parse("# c\n[gpu H100]\n", "a.conf");
        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error(), Catch::StartsWith("a.conf:2: section must be"));
    }
    SECTION("no equals sign") {
        auto st = t.parse("[default]\njust words\n", "a.conf");
        REQUIRE_FALSE(st.ok());
        CHECK_THAT(st.error(), Catch::StartsWith("a.conf:2: expected key = number"));
    }
}

TEST_CASE("the shipped host thresholds parse and set every host floor") {
    Thresholds t;
    auto st = t.load_file(KUBESLURM_SOURCE_DIR "/src/health/thresholds.d/00-host.conf");
    INFO(st.error());
    REQUIRE(st.ok());
    auto set = t.resolve("", "n1");
    for (const char* key : {"host.memory.min_available_gib", "host.membw.min_gbps", "hostnet.min_busbw_mbps",
                            "hostnet.max_latency_us"})
        CHECK(set.get(key).has_value());
}
