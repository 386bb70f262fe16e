#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "common/config.h"

using ks::config::Config;

TEST_CASE("defaults come from the key table") {
    Config cfg;
    CHECK(cfg.str("TopologyPolicy") == "prefer");
    CHECK(cfg.integer("CheckTimeout") == 60);
    CHECK_FALSE(cfg.flag("AllowCheckOff"));
    CHECK(cfg.range("RendezvousPorts") == std::pair{47000, 47999});
}

TEST_CASE("keys are case-insensitive, comments and blank lines ignored") {
    auto cfg = Config::parse("# comment\n\ntopologypolicy = block  # trailing\nCHECKTIMEOUT=30\n", "t.conf");
    REQUIRE(cfg.ok());
    CHECK(cfg->str("TopologyPolicy") == "block");
    CHECK(cfg->integer("checktimeout") == 30);
}

TEST_CASE("errors name file, line and key") {
    SECTION("unknown key") {
        auto cfg = Config::parse("TopologyPolicy=any\nNoSuchKey=1\n", "site.conf");
        REQUIRE_FALSE(cfg.ok());
        CHECK(cfg.error() == "site.conf:2: 'NoSuchKey': unknown key");
    }
    SECTION("bad enum") {
        auto cfg = Config::parse("TopologyPolicy=closest\n", "site.conf");
        REQUIRE_FALSE(cfg.ok());
        CHECK(cfg.error() == "site.conf:1: TopologyPolicy: 'closest' is not one of any|prefer|block|leaf");
    }
    SECTION("integer out of range") {
        auto cfg = Config::parse("\nCheckTimeout=0\n", "c");
        REQUIRE_FALSE(cfg.ok());
        CHECK(cfg.error() == "c:2: CheckTimeout: 0 is outside 1-3600");
    }
    SECTION("not an integer") {
        CHECK_FALSE(Config::parse("CheckTimeout=10s\n", "c").ok());
    }
    SECTION("relative path") {
        auto cfg = Config::parse("CheckerPath=bin/check\n", "c");
        REQUIRE_FALSE(cfg.ok());
        CHECK(cfg.error().find("not an absolute path") != std::string::npos);
    }
    SECTION("missing equals") {
        auto cfg = Config::parse("TopologyPolicy\n", "c");
        REQUIRE_FALSE(cfg.ok());
        CHECK(cfg.error() == "c:1: expected Key=Value, got 'TopologyPolicy'");
    }
    SECTION("bad map value") {
        CHECK_FALSE(Config::parse("PartitionGpuCheck=gpu:heavy\n", "c").ok());
        CHECK_FALSE(Config::parse("PartitionGpuCheck=gpu\n", "c").ok());
    }
    SECTION("bad port range") {
        CHECK_FALSE(Config::parse("RendezvousPorts=5000-4000\n", "c").ok());
        CHECK_FALSE(Config::parse("RendezvousPorts=5000\n", "c").ok());
    }
}

TEST_CASE("per-partition maps fall back to the global value") {
    auto cfg = Config::parse("PartitionGpuCheck=gpu:nccl, debug:off\n", "c");
    REQUIRE(cfg.ok());
    CHECK(cfg->lookup("PartitionGpuCheck", "gpu", "quick") == "nccl");
    CHECK(cfg->lookup("PartitionGpuCheck", "debug", "quick") == "off");
    CHECK(cfg->lookup("PartitionGpuCheck", "cpu", "quick") == "quick");
}

TEST_CASE("load reports a missing file unless allowed") {
    CHECK_FALSE(Config::load("/nonexistent/kubeslurm.conf").ok());
    CHECK(Config::load("/nonexistent/kubeslurm.conf", true).ok());
}

TEST_CASE("docs/kubeslurm.conf.md carries the generated key table") {
    std::ifstream f(KUBESLURM_SOURCE_DIR "/docs/kubeslurm.conf.md");
    REQUIRE(f);
    std::stringstream ss;
    ss << f.rdbuf();
    INFO("regenerate with: make docs-config");
    CHECK(ss.str().find(ks::config::markdown_table()) != std::string::npos);
}
