// common/safe_file, common/trust and common/quote: how kubeslurm opens, replaces and trusts files.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "common/quote.h"
#include "common/safe_file.h"
#include "common/trust.h"
#include "temp_dir.h"

namespace fs = std::filesystem;

using ks::test::TempDir;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("quote escapes control bytes and caps long values") {
    CHECK(ks::quote("plain") == "'plain'");
    CHECK(ks::quote(std::string("a\nb\0c'\\", 7)) == "'a\\nb\\x00c\\'\\\\'");
    CHECK(ks::quote("\xc3\xa9") == "'\\xc3\\xa9'");
    CHECK(ks::quote(std::string(500, 'v'), 3) == "'vvv...' (500 bytes)");
}

TEST_CASE("read refuses FIFOs, directories and devices at once, and large files") {
    TempDir dir;
    const std::string fifo = dir.path / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto start = std::chrono::steady_clock::now();
    auto r = ks::safe_file::read(fifo);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error() == "cannot read " + fifo + ": it is a FIFO, not a regular file");
    CHECK(ks::safe_file::read(dir.path).error().find("it is a directory") != std::string::npos);
    CHECK(ks::safe_file::read("/dev/zero").error().find("it is a character device") != std::string::npos);
    auto big = dir.file("big", std::string(100, 'b'));
    CHECK(ks::safe_file::read(big, {.max_size = 99}).error().find("100 bytes, more than the 99 allowed") !=
          std::string::npos);
    CHECK(*ks::safe_file::read(big, {.max_size = 100}) == std::string(100, 'b'));
    CHECK(ks::safe_file::read(dir.path / "none").error() ==
          "cannot open " + (dir.path / "none").string() + ": No such file or directory");
    const std::string link = dir.path / "link";
    fs::create_symlink(big, link);
    CHECK(ks::safe_file::read(link).ok());
    CHECK(ks::safe_file::read(link, {.follow_link = false}).error() == "cannot open " + link + ": it is a symbolic link");
}

TEST_CASE("replace writes regular or absent files only, never through a link, device or FIFO") {
    TempDir dir;
    const std::string target = dir.path / "out";
    CHECK(*ks::safe_file::replace(target, "one\n") == true);
    CHECK(*ks::safe_file::replace(target, "one\n") == false);  // unchanged: left alone
    CHECK(*ks::safe_file::replace(target, "two\n") == true);
    CHECK(slurp(target) == "two\n");

    const std::string victim = dir.file("victim", "keep\n", 0644);
    const std::string link = dir.path / "link";
    fs::create_symlink(victim, link);
    auto via_link = ks::safe_file::replace(link, "evil\n");
    REQUIRE_FALSE(via_link.ok());
    CHECK(via_link.error() == "refusing to replace " + link +
                                  ": it is a symbolic link (only a regular file or a new file is written)");
    CHECK(fs::is_symlink(link));
    CHECK(slurp(victim) == "keep\n");

    const std::string fifo = dir.path / "fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(ks::safe_file::replace(fifo, "x").error().find("it is a FIFO") != std::string::npos);
    const std::string dev = dir.path / "null";
    REQUIRE(::mknod(dev.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
    CHECK(ks::safe_file::replace(dev, "x").error().find("it is a character device") != std::string::npos);
    CHECK(fs::is_character_file(dev));
    CHECK(ks::safe_file::replace(dir.path, "x").error().find("it is a directory") != std::string::npos);
    // No temporary file is left behind by a refusal.
    size_t entries = 0;
    for (auto& e : fs::directory_iterator(dir.path)) entries += e.path().filename().string().find(".tmp.") != std::string::npos;
    CHECK(entries == 0);
}

TEST_CASE("trust: root's files in root-only directories pass, anything writable by others fails") {
    if (::geteuid() != 0) {
        WARN("not root: cannot create files owned by other users; trust checks skipped");
        return;
    }
    using ks::trust::Kind;
    TempDir dir;  // /tmp (sticky, world-writable) / ks-unit-safe-XXXX (root, 0755)
    auto ok = dir.file("checker");
    CHECK(ks::trust::check(ok, Kind::File, "CheckerPath").ok());
    CHECK(ks::trust::check(dir.path, Kind::Directory, "ThresholdsDir").ok());

    auto wide = dir.file("wide", "x", 0777);
    CHECK(ks::trust::check(wide, Kind::File, "CheckerPath").error() ==
          "CheckerPath: " + wide + " is writable by everyone (mode 0777); it must be writable by root only");
    auto group = dir.file("group", "x", 0775);
    CHECK(ks::trust::check(group, Kind::File, "CheckerPath").error().find("writable by its group (mode 0775)") !=
          std::string::npos);
    auto foreign = dir.file("foreign");
    REQUIRE(::chown(foreign.c_str(), 65534, 65534) == 0);
    CHECK(ks::trust::check(foreign, Kind::File, "CheckerPath").error() ==
          "CheckerPath: " + foreign + " belongs to uid 65534, not root");

    // A root-owned file in a directory others can write is refused for its directory.
    fs::create_directory(dir.path / "open");
    ::chmod((dir.path / "open").c_str(), 0777);
    std::ofstream(dir.path / "open" / "checker") << "x";
    ::chmod((dir.path / "open" / "checker").c_str(), 0755);
    CHECK(ks::trust::check(dir.path / "open" / "checker", Kind::File, "CheckerPath").error().find(
              (dir.path / "open").string() + " is writable by everyone (mode 0777)") != std::string::npos);
    // The same through a link from a trusted place: the resolved path is checked too.
    fs::create_symlink(dir.path / "open" / "checker", dir.path / "via-link");
    CHECK_FALSE(ks::trust::check(dir.path / "via-link", Kind::File, "CheckerPath").ok());

    CHECK(ks::trust::check(dir.path, Kind::File, "CheckerPath").error() == "CheckerPath: " + dir.path.string() +
                                                                             " is not a regular file");
    CHECK(ks::trust::check("relative/x", Kind::File, "CheckerPath").error() ==
          "CheckerPath: 'relative/x' is not an absolute path");
    CHECK(ks::trust::check(dir.path / "absent", Kind::File, "CheckerPath").error().find("No such file") !=
          std::string::npos);
}
