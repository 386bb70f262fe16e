// What kubeslurm.conf refuses instead of accepting silently (issue 30, item 7), and live reload.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "temp_dir.h"

using ks::config::Config;
namespace fs = std::filesystem;

using ks::test::TempDir;

TEST_CASE("a key set twice is an error, also when only the case differs") {
    auto same = Config::parse("GpuCheck=quick\nGpuCheck=off\n", "k.conf");
    REQUIRE_FALSE(same.ok());
    CHECK(same.error() == "k.conf:2: GpuCheck: set again (first set at k.conf:1)");
    auto cased = Config::parse("CheckTimeout=30\n# comment\ncheckTIMEOUT=40\n", "k.conf");
    REQUIRE_FALSE(cased.ok());
    CHECK(cased.error() == "k.conf:3: CheckTimeout: set again (first set at k.conf:1)");
}

TEST_CASE("a UTF-8 byte order mark at the start is not part of the first key") {
    auto cfg = Config::parse("\xEF\xBB\xBFTopologyPolicy=block\r\nCheckTimeout=9\r\n", "bom.conf");
    REQUIRE(cfg.ok());
    CHECK(cfg->str("TopologyPolicy") == "block");
    CHECK(cfg->integer("CheckTimeout") == 9);
    // Elsewhere it is an unknown key, shown escaped so that it does not look right.
    auto mid = Config::parse("GpuCheck=off\n\xEF\xBB\xBFTopologyPolicy=block\n", "bom.conf");
    REQUIRE_FALSE(mid.ok());
    CHECK(mid.error() == "bom.conf:2: '\\xef\\xbb\\xbfTopologyPolicy': unknown key");
}

TEST_CASE("echoed values are capped and escaped") {
    std::string huge(1 << 20, 'x');
    auto cfg = Config::parse("TopologyPolicy=" + huge + "\n", "c");
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.error().size() < 400);
    CHECK(cfg.error().find("...' (1048576 bytes) is not one of any|prefer|block|leaf") != std::string::npos);
    auto ctl = Config::parse(std::string("SlurmUser=sl\x01urm\n"), "c");
    REQUIRE_FALSE(ctl.ok());
    CHECK(ctl.error() == "c:1: SlurmUser: 'sl\\x01urm' contains a control character");
    auto nul = Config::parse(std::string("LogLevel=info\0debug\n", 20), "c");
    REQUIRE_FALSE(nul.ok());
    CHECK(nul.error() == "c:1: LogLevel: 'info\\x00debug' contains a control character");
}

TEST_CASE("required paths may not be empty") {
    auto cfg = Config::parse("CheckerPath=\n", "c");
    REQUIRE_FALSE(cfg.ok());
    CHECK(cfg.error() == "c:1: CheckerPath: must not be empty");
    CHECK_FALSE(Config::parse("GateStateDir=  \n", "c").ok());
    CHECK(Config::parse("KubeConfig=\n", "c").ok());  // optional paths may
}

TEST_CASE("load: a directory, a FIFO or an unreadable file is an error with the OS reason") {
    TempDir dir;
    auto as_dir = Config::load(dir.path.string());
    REQUIRE_FALSE(as_dir.ok());
    CHECK(as_dir.error() == "configuration file: cannot read " + dir.path.string() +
                                ": it is a directory, not a regular file");
    // allow_missing covers a file that does not exist, nothing else.
    CHECK_FALSE(Config::load(dir.path.string(), true).ok());
    const std::string fifo = dir.path / "fifo.conf";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto as_fifo = Config::load(fifo, true);  // returns at once instead of waiting for a writer
    REQUIRE_FALSE(as_fifo.ok());
    CHECK(as_fifo.error().find("it is a FIFO") != std::string::npos);
    auto missing = Config::load((dir.path / "absent.conf").string());
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().find("No such file or directory") != std::string::npos);
    auto big = dir.file("big.conf", std::string(ks::config::kMaxFileSize + 1, '#'));
    auto too_big = Config::load(big);
    REQUIRE_FALSE(too_big.ok());
    CHECK(too_big.error().find("more than the 1048576 allowed") != std::string::npos);
}

TEST_CASE("reload keeps the last good configuration and reports each failed change once") {
    TempDir dir;
    auto path = dir.file("k.conf", "GpuCheck=nccl\n");
    auto first = Config::load(path);
    REQUIRE(first.ok());
    ks::config::Reloader live(path, *first);
    CHECK_FALSE(live.poll().reloaded);

    dir.file("k.conf", "GpuCheck=nccl\nNoSuchKey=1\n");
    auto bad = live.poll();
    CHECK_FALSE(bad.reloaded);
    CHECK(bad.error == path + ":2: 'NoSuchKey': unknown key (keeping the last good configuration from " + path + ")");
    CHECK(live.current().str("GpuCheck") == "nccl");
    CHECK(live.poll().error.empty());  // the same change is not reported again

    dir.file("k.conf", "GpuCheck=full\n");
    auto good = live.poll();
    CHECK(good.reloaded);
    CHECK(good.error.empty());
    CHECK(live.current().str("GpuCheck") == "full");
    // Never defaults for part of the file: a bad value refuses the whole change.
    dir.file("k.conf", "TopologyFile=/x/t.json\nTopologyPolicy=blokc\n");
    CHECK_FALSE(live.poll().error.empty());
    CHECK(live.current().str("GpuCheck") == "full");
    CHECK(live.current().str("TopologyFile") == "/var/lib/kubeslurm/topology.json");
}
