#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "spank/core/gate_state.h"

using namespace ks::spank;

TEST_CASE("the gate state round-trips and is readable by the job's user") {
    char dir[] = "/tmp/ks-gate-XXXXXX";
    REQUIRE(mkdtemp(dir));
    std::string sub = std::string(dir) + "/state";
    std::string path = state_path(sub, "ks1", "n3", 42);
    CHECK(path == sub + "/ks1.n3.42.env");

    REQUIRE(write_state(path, {{"KUBESLURM_GPU_CHECK", "nccl"}, {"KUBESLURM_GPU_CHECK_SUMMARY", "two\nlines"}}).ok());
    struct stat st {};
    REQUIRE(stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);

    auto back = read_state(path);
    REQUIRE(back.ok());
    CHECK(back->at("KUBESLURM_GPU_CHECK") == "nccl");
    CHECK(back->at("KUBESLURM_GPU_CHECK_SUMMARY") == "two lines");

    // Only KUBESLURM_* names reach the job, whatever the file holds.
    std::ofstream(path, std::ios::app) << "LD_PRELOAD=/tmp/x.so\n";
    CHECK(read_state(path)->count("LD_PRELOAD") == 0);

    CHECK(read_state(sub + "/missing.env")->empty());
    std::remove(path.c_str());
    rmdir(sub.c_str());
    rmdir(dir);
}

TEST_CASE("names from Slurm cannot leave the state directory") {
    CHECK(state_path("/run/ks", "../x", "a/b", 1) == "/run/ks/.._x.a_b.1.env");
    CHECK(state_path("/run/ks", "..", "n1", 1) == "/run/ks/_.n1.1.env");
}
