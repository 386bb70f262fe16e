#include <catch2/catch.hpp>

#include <fcntl.h>

#include <chrono>
#include <fstream>
#include <signal.h>
#include <string>
#include <unistd.h>

#include "spank/core/runner.h"

using namespace ks::spank;
using namespace std::chrono_literals;

namespace {

RunSpec shell(const std::string& script, std::chrono::milliseconds deadline = 5000ms) {
    // The runner itself never uses a shell; the tests use one as a convenient program.
    RunSpec s;
    s.path = "/bin/sh";
    s.args = {"-c", script};
    s.env = {"PATH=/usr/bin:/bin", "ONLY=this"};
    s.deadline = deadline;
    s.kill_grace = 300ms;
    return s;
}

bool gone_or_zombie(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    auto paren = line.rfind(')');
    return paren != std::string::npos && line.size() > paren + 2 && line[paren + 2] == 'Z';
}

}  // namespace

TEST_CASE("captures stdout, stderr and the exit code; the environment is exactly the given one") {
    auto out = run_with_deadline(shell("echo out; echo err >&2; env | sort; exit 3"));
    REQUIRE(out.run.started);
    CHECK_FALSE(out.run.timed_out);
    CHECK(out.run.exit_code == 3);
    CHECK_THAT(out.run.stdout_text, Catch::StartsWith("out\n"));
    CHECK_THAT(out.run.stdout_text, Catch::Contains("ONLY=this"));
    CHECK_THAT(out.run.stdout_text, !Catch::Contains("HOME="));
    CHECK(out.stderr_text == "err\n");
}

TEST_CASE("the program inherits no descriptor of the caller beyond stdin, stdout and stderr") {
    int leaked = open("/dev/null", O_RDONLY);  // no O_CLOEXEC, like a host process's files
    REQUIRE(leaked > 2);
    auto out = run_with_deadline(shell("ls /proc/self/fd"));
    close(leaked);
    int count = 0;
    for (char c : out.run.stdout_text) count += c == '\n';
    CHECK(count == 4);  // 0, 1, 2 and the directory ls is reading; a leaked one would be a fifth
}

TEST_CASE("a program that cannot be executed is reported, not run") {
    RunSpec s;
    s.path = "/nonexistent/checker";
    auto out = run_with_deadline(s);
    CHECK_FALSE(out.run.started);
    CHECK_THAT(out.run.failure, Catch::Contains("No such file"));

    s.path = "relative/checker";
    CHECK_FALSE(run_with_deadline(s).run.started);
}

TEST_CASE("a hanging program and its children are killed at the deadline") {
    char marker[] = "/tmp/ks-runner-XXXXXX";
    int fd = mkstemp(marker);
    REQUIRE(fd >= 0);
    close(fd);
    // The child ignores SIGTERM and leaves a grandchild that writes its PID.
    auto out = run_with_deadline(shell(std::string("trap '' TERM; sleep 60 & echo $! > ") + marker + "; wait", 700ms));
    CHECK(out.run.timed_out);
    CHECK(out.elapsed_s >= 0.6);
    CHECK(out.elapsed_s < 0.7 + 0.3 + 0.6);  // deadline + grace + slack
    FILE* f = std::fopen(marker, "r");
    REQUIRE(f);
    int pid = 0;
    REQUIRE(std::fscanf(f, "%d", &pid) == 1);
    std::fclose(f);
    std::remove(marker);
    usleep(100000);
    CHECK(gone_or_zombie(pid));  // the grandchild is dead too (init may not have reaped it yet)
}

TEST_CASE("output beyond the cap is dropped, not buffered without bound") {
    RunSpec s = shell("head -c 100000 /dev/zero");
    s.max_output = 1000;
    auto out = run_with_deadline(s);
    CHECK(out.run.exit_code == 0);
    CHECK(out.run.stdout_text.size() == 1000);
}
