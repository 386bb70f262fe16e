#include <catch2/catch.hpp>

#include <fcntl.h>

#include <chrono>
#include <fstream>
#include <signal.h>
#include <string>
#include <unistd.h>

#include "common/child_process.h"

using namespace ks;
using namespace std::chrono_literals;

namespace {

ChildSpec shell(const std::string& script, std::chrono::milliseconds deadline = 5000ms) {
    // The runner itself never uses a shell; the tests use one as a convenient program.
    ChildSpec s;
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

// A file a process tree writes a PID into; removed at the end of the test.
struct Marker {
    std::string path = "/tmp/ks-child-XXXXXX";
    Marker() {
        int fd = mkstemp(path.data());
        if (fd >= 0) close(fd);
    }
    ~Marker() { std::remove(path.c_str()); }
    int pid() const {
        std::ifstream in(path);
        int pid = 0;
        return in >> pid ? pid : 0;
    }
};

// The process is dead (init may not have reaped it yet).
bool died(int pid) {
    usleep(100000);
    return gone_or_zombie(pid);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("captures stdout, stderr and the exit code; the environment is exactly the given one") {
    auto out = run_child(shell("echo out; echo err >&2; env | sort; exit 3"));
    REQUIRE(out.started);
    CHECK_FALSE(out.timed_out);
    CHECK(out.exit_code == 3);
    CHECK_THAT(out.stdout_text, Catch::StartsWith("out\n"));
    CHECK_THAT(out.stdout_text, Catch::Contains("ONLY=this"));
    CHECK_THAT(out.stdout_text, !Catch::Contains("HOME="));
    CHECK(out.stderr_text == "err\n");
}

TEST_CASE("the program inherits no descriptor of the caller beyond stdin, stdout and stderr") {
    int leaked = open("/dev/null", O_RDONLY);  // no O_CLOEXEC, like a host process's files
    REQUIRE(leaked > 2);
    auto out = run_child(shell("ls /proc/self/fd"));
    close(leaked);
    int count = 0;
    for (char c : out.stdout_text) count += c == '\n';
    CHECK(count == 4);  // 0, 1, 2 and the directory ls is reading; a leaked one would be a fifth
}

TEST_CASE("a program that cannot be executed is reported, not run") {
    ChildSpec s;
    s.path = "/nonexistent/checker";
    auto out = run_child(s);
    CHECK_FALSE(out.started);
    CHECK_THAT(out.failure, Catch::Contains("No such file"));

    s.path = "relative/checker";
    CHECK_FALSE(run_child(s).started);
}

TEST_CASE("a hanging program and its children are killed at the deadline") {
    Marker marker;
    // The child ignores SIGTERM and leaves a grandchild that writes its PID.
    auto out = run_child(shell("trap '' TERM; sleep 60 & echo $! > " + marker.path + "; wait", 700ms));
    CHECK(out.timed_out);
    CHECK(out.elapsed_s >= 0.6);
    CHECK(out.elapsed_s < 0.7 + 0.3 + 0.6);  // deadline + grace + slack
    const int pid = marker.pid();
    REQUIRE(pid > 0);
    CHECK(died(pid));  // the grandchild is dead too
}

TEST_CASE("output beyond the cap is dropped, not buffered without bound") {
    ChildSpec s = shell("head -c 100000 /dev/zero");
    s.max_output = 1000;
    auto out = run_child(s);
    CHECK(out.exit_code == 0);
    CHECK(out.stdout_text.size() == 1000);
}

TEST_CASE("a hung grandchild in a deeper tree dies with the program at the deadline") {
    Marker marker;
    // sh -> sh -> sleep, each level ignoring SIGTERM: only the process group's SIGKILL ends it.
    auto out = run_child(shell("trap '' TERM; sh -c 'trap \"\" TERM; sleep 60 & echo $! > " + marker.path +
                               "; wait' & wait", 500ms));
    CHECK(out.timed_out);
    CHECK(out.elapsed_s < 0.5 + 0.3 + 0.6);
    const int pid = marker.pid();
    REQUIRE(pid > 0);
    CHECK(died(pid));
}

TEST_CASE("a descendant that outlives the program does not hold the run open, and is killed") {
    Marker marker;
    // The program exits at once; its background child keeps stdout open.
    auto out = run_child(shell("sleep 60 & echo $! > " + marker.path + "; echo done", 5000ms));
    CHECK_FALSE(out.timed_out);
    CHECK(out.exit_code == 0);
    CHECK(out.stdout_text == "done\n");
    CHECK(out.elapsed_s < 2.0);
    const int pid = marker.pid();
    REQUIRE(pid > 0);
    CHECK(died(pid));
}

TEST_CASE("a program name is looked up in PATH only when asked, with the caller's environment") {
    ChildSpec s;
    s.path = "sh";
    s.args = {"-c", "echo $KS_CHILD_TEST; exit 5"};
    CHECK_THAT(run_child(s).failure, Catch::Contains("not absolute"));

    setenv("KS_CHILD_TEST", "inherited", 1);
    s.search_path = true;
    auto out = run_child(s);
    unsetenv("KS_CHILD_TEST");
    REQUIRE(out.started);
    CHECK(out.exit_code == 5);
    CHECK(out.stdout_text == "inherited\n");

    s.path = "ks-no-such-program";
    out = run_child(s);
    CHECK_FALSE(out.started);
    CHECK(out.failure == "cannot execute ks-no-such-program: No such file or directory");
}

TEST_CASE("output goes to files when asked, appended") {
    Marker out_file, err_file;
    const std::string &o = out_file.path, &e = err_file.path;
    {
        std::ofstream(o) << "before\n";
    }
    ChildSpec s = shell("echo out; echo err >&2; kill -9 $$");
    s.stdout_file = o;
    s.stderr_file = e;
    auto out = run_child(s);
    CHECK(out.signal == 9);
    CHECK(out.exit_code == -1);
    CHECK(out.stdout_text.empty());
    CHECK(slurp(o) == "before\nout\n");
    CHECK(slurp(e) == "err\n");

    s.stdout_file = "/nonexistent/dir/out";
    out = run_child(s);
    CHECK_FALSE(out.started);
    CHECK_THAT(out.failure, Catch::Contains("cannot open the program's output"));
}

TEST_CASE("several children advance side by side; one destroyed while running leaves nothing behind") {
    ChildProcess quick(shell("echo quick"));
    ChildProcess slow(shell("sleep 0.3; echo slow"));
    Marker marker;
    int pid = 0;
    {
        ChildProcess doomed(shell("sleep 60 & echo $! > " + marker.path + "; wait"));
        while (!quick.finished() || !slow.finished()) {
            quick.poll(10ms);
            slow.poll(10ms);
        }
        CHECK(quick.outcome().stdout_text == "quick\n");
        CHECK(slow.outcome().stdout_text == "slow\n");
        CHECK_FALSE(doomed.finished());
        pid = marker.pid();
    }
    REQUIRE(pid > 0);
    CHECK(died(pid));
}
