// A private directory under /tmp (mode 0755, owned by the test's user), removed with everything
// in it at the end of the test.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace ks::test {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        char tmpl[] = "/tmp/ks-unit-XXXXXX";
        path = ::mkdtemp(tmpl);
        ::chmod(path.c_str(), 0755);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name, const std::string& text = "x", mode_t mode = 0644) const {
        std::ofstream(path / name, std::ios::binary) << text;
        ::chmod((path / name).c_str(), mode);
        return path / name;
    }
};

}  // namespace ks::test
