// Runs one program under a hard deadline: no shell, its own process group (TERM to the whole
// group at the deadline, KILL after a grace, so that a hung grandchild dies too), stdin from
// /dev/null, stdout and stderr captured with a cap or appended to files. The prolog runs the
// checker with it, burn-in Slurm's commands and the sweep's srun jobs.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ks {

struct ChildSpec {
    std::string path;                // absolute path, executed as is (or looked up, see below)
    std::vector<std::string> args;   // argv[1..]
    // The complete environment, "NAME=value"; nullopt: the caller's own environment.
    std::optional<std::vector<std::string>> env;
    bool search_path = false;        // a `path` without '/' is looked up in $PATH (never for root's prolog)
    std::chrono::milliseconds deadline{60000};
    std::chrono::milliseconds kill_grace{1000};  // SIGTERM to SIGKILL
    size_t max_output = 4u << 20;    // bytes kept per captured stream
    // When set, the stream is appended to this file instead of being captured.
    std::string stdout_file, stderr_file;
};

// What the program did.
struct ChildOutcome {
    bool started = false;      // false: it could not be executed at all (see failure)
    bool timed_out = false;    // signalled at the deadline
    int exit_code = -1;        // -1 when it died from a signal
    int signal = 0;
    std::string stdout_text;   // captured output (empty when sent to a file)
    std::string stderr_text;
    std::string failure;       // why it could not be started
    double elapsed_s = 0;
};

// A started program; poll() advances it (reads output, enforces the deadline) without blocking
// for longer than asked. Destroying a running child kills its process group and reaps it.
class ChildProcess {
public:
    explicit ChildProcess(const ChildSpec& spec);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    // True once the program has exited (or could not start) and its output is collected.
    bool poll(std::chrono::milliseconds wait);
    bool finished() const { return m_finished; }
    const ChildOutcome& outcome() const { return m_out; }

private:
    std::string start(const ChildSpec& spec);  // why it did not start, empty when it did
    void finish();

    ChildOutcome m_out;
    std::chrono::steady_clock::time_point m_start, m_deadline, m_kill_at, m_reaped_at;
    std::chrono::milliseconds m_grace;
    size_t m_cap;
    pid_t m_pid = -1;
    int m_stdout = -1, m_stderr = -1;
    int m_wstatus = 0;
    bool m_term_sent = false, m_reaped = false, m_finished = false;
};

// Runs the program to the end. Returns within deadline + kill_grace + a few hundred
// milliseconds, whatever the program does. SIGCHLD is set to its default meanwhile (a host
// process that ignores it would make the child unwaitable).
ChildOutcome run_child(const ChildSpec& spec);

}  // namespace ks
