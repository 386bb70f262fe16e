#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "spank/core/settings.h"

using ks::spank::load_settings;

namespace {

struct TempConf {
    std::string path;
    explicit TempConf(const std::string& text) {
        char name[] = "/tmp/ks-spank-conf-XXXXXX";
        int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path = name;
        std::ofstream(path) << text;
    }
    ~TempConf() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("plugstack arguments override kubeslurm.conf") {
    TempConf file("CheckTimeout=30\nGpuCheck=nccl\n");
    std::vector<std::string> args = {"conf=" + file.path, "CheckTimeout=7"};
    auto s = load_settings(args, nullptr);
    REQUIRE(s.ok());
    CHECK(s->conf_path == file.path);
    CHECK(s->config.integer("CheckTimeout") == 7);
    CHECK(s->config.str("GpuCheck") == "nccl");
}

TEST_CASE("KUBESLURM_CONF names the file when conf= is absent") {
    TempConf file("GpuCheck=full\n");
    auto s = load_settings(std::vector<std::string>{}, file.path.c_str());
    REQUIRE(s.ok());
    CHECK(s->config.str("GpuCheck") == "full");
}

TEST_CASE("a missing default file is allowed, a missing conf= file is not") {
    auto s = load_settings(std::vector<std::string>{}, "/nonexistent/kubeslurm.conf");
    REQUIRE(s.ok());
    CHECK(s->config.str("GpuCheck") == "quick");

    std::vector<std::string> args = {"conf=/nonexistent/kubeslurm.conf"};
    auto bad = load_settings(args, nullptr);
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error(), Catch::Contains("/nonexistent/kubeslurm.conf"));
}

TEST_CASE("unknown keys and bad values in plugstack arguments are errors naming them") {
    std::vector<std::string> unknown = {"NoSuchKey=1"};
    auto a = load_settings(unknown, "/nonexistent/kubeslurm.conf");
    REQUIRE_FALSE(a.ok());
    CHECK_THAT(a.error(), Catch::Contains("plugstack.conf argument 1") && Catch::Contains("NoSuchKey"));

    std::vector<std::string> bad_value = {"GpuCheck=quick", "CheckTimeout=zero"};
    auto b = load_settings(bad_value, "/nonexistent/kubeslurm.conf");
    REQUIRE_FALSE(b.ok());
    CHECK_THAT(b.error(), Catch::Contains("argument 2") && Catch::Contains("CheckTimeout"));

    std::vector<std::string> not_kv = {"verbose"};
    auto c = load_settings(not_kv, "/nonexistent/kubeslurm.conf");
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error(), Catch::Contains("Key=Value"));

    std::vector<std::string> relative = {"CheckerPath=bin/check"};
    CHECK_FALSE(load_settings(relative, "/nonexistent/kubeslurm.conf").ok());
}

TEST_CASE("plugstack arguments: an empty CheckerPath= and a key given twice are errors") {
    auto empty = load_settings(std::vector<std::string>{"CheckerPath="}, "/nonexistent/kubeslurm.conf");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error() == "plugstack.conf argument 1: CheckerPath: must not be empty");
    auto twice = load_settings(std::vector<std::string>{"GpuCheck=off", "gpucheck=full"}, "/nonexistent/kubeslurm.conf");
    REQUIRE_FALSE(twice.ok());
    CHECK(twice.error() == "plugstack.conf argument 2: GpuCheck: set again (first set in plugstack.conf argument 1)");
    auto huge = load_settings(std::vector<std::string>{"GpuCheck=" + std::string(1 << 20, 'q')}, nullptr);
    REQUIRE_FALSE(huge.ok());
    CHECK(huge.error().size() < 400);
}

TEST_CASE("a conf= that is a directory is an error with the reason, never the defaults") {
    auto dir = load_settings(std::vector<std::string>{"conf=/tmp"}, nullptr);
    REQUIRE_FALSE(dir.ok());
    CHECK(dir.error() == "configuration file: cannot read /tmp: it is a directory, not a regular file");
}
