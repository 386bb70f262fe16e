#include "spank/core/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ks::spank {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
    int r = -1, w = -1;
    bool open() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) return false;
        r = fds[0];
        w = fds[1];
        return true;
    }
    void close_all() {
        if (r >= 0) ::close(r);
        if (w >= 0) ::close(w);
        r = w = -1;
    }
};

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const RunSpec& spec, char* const argv[], char* const envp[], Pipe& out,
                             Pipe& err, Pipe& status) {
    setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out.w, STDOUT_FILENO) < 0 ||
        dup2(err.w, STDERR_FILENO) < 0) {
        int e = errno;
        (void)!write(status.w, &e, sizeof e);
        _exit(127);
    }
    // Nothing of the host process (slurmstepd's sockets, files) leaks into the checker; the
    // status pipe closes itself on a successful exec.
    if (status.w > 3) close_range(3, static_cast<unsigned>(status.w) - 1, 0);
    close_range(static_cast<unsigned>(status.w) + 1, ~0U, 0);
    execve(spec.path.c_str(), argv, envp);
    int e = errno;
    (void)!write(status.w, &e, sizeof e);
    _exit(127);
}

void append_capped(std::string& to, const char* data, size_t n, size_t cap) {
    if (to.size() < cap) to.append(data, std::min(n, cap - to.size()));
}

RunOutput run_child(const RunSpec& spec);

}  // namespace

RunOutput run_with_deadline(const RunSpec& spec) {
    // The host process may ignore SIGCHLD, which would make children unwaitable.
    struct sigaction dfl {}, saved {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, &saved);
    RunOutput out = run_child(spec);
    sigaction(SIGCHLD, &saved, nullptr);
    return out;
}

namespace {

RunOutput run_child(const RunSpec& spec) {
    RunOutput out;
    const auto start = Clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };

    if (spec.path.empty() || spec.path.front() != '/') {
        out.run.failure = "checker path '" + spec.path + "' is not absolute";
        return out;
    }
    std::vector<std::string> argv_s{spec.path};
    argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = spec.env;
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    Pipe o, e, status;
    if (!o.open() || !e.open() || !status.open()) {
        out.run.failure = std::string("pipe: ") + std::strerror(errno);
        o.close_all(), e.close_all(), status.close_all();
        return out;
    }
    pid_t pid = fork();
    if (pid < 0) {
        out.run.failure = std::string("fork: ") + std::strerror(errno);
        o.close_all(), e.close_all(), status.close_all();
        return out;
    }
    if (pid == 0) exec_child(spec, argv.data(), envp.data(), o, e, status);

    setpgid(pid, pid);  // also done by the child: whichever runs first wins the race
    ::close(o.w), ::close(e.w), ::close(status.w);
    o.w = e.w = status.w = -1;

    int exec_errno = 0;
    if (read(status.r, &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
        waitpid(pid, nullptr, 0);
        out.run.failure = "cannot execute " + spec.path + ": " + std::strerror(exec_errno);
        o.close_all(), e.close_all(), status.close_all();
        out.elapsed_s = elapsed();
        return out;
    }
    status.close_all();
    out.run.started = true;

    const auto deadline = start + spec.deadline;
    bool term_sent = false, reaped = false;
    Clock::time_point kill_at{}, reaped_at{};
    int wstatus = 0;
    char buf[8192];
    while (true) {
        const auto now = Clock::now();
        if (!reaped && waitpid(pid, &wstatus, WNOHANG) == pid) {
            reaped = true;
            reaped_at = now;
        }
        // Done when the program exited and its pipes are drained (or a leftover descendant
        // keeps them open for more than a moment).
        if (reaped && ((o.r < 0 && e.r < 0) || now - reaped_at > std::chrono::milliseconds(200))) break;
        if (!reaped && !term_sent && now >= deadline) {
            out.run.timed_out = true;
            kill(-pid, SIGTERM);
            term_sent = true;
            kill_at = now + spec.kill_grace;
        }
        if (!reaped && term_sent && now >= kill_at) {
            kill(-pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            reaped = true;
            reaped_at = now;
        }
        pollfd fds[2];
        nfds_t n = 0;
        for (int fd : {o.r, e.r})
            if (fd >= 0) fds[n++] = {fd, POLLIN, 0};
        if (n == 0) {
            usleep(20000);
            continue;
        }
        if (poll(fds, n, 50) <= 0) continue;
        for (nfds_t i = 0; i < n; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            Pipe& p = fds[i].fd == o.r ? o : e;
            std::string& to = fds[i].fd == o.r ? out.run.stdout_text : out.stderr_text;
            ssize_t got = read(p.r, buf, sizeof buf);
            if (got > 0)
                append_capped(to, buf, static_cast<size_t>(got), spec.max_output);
            else if (got == 0 || (errno != EINTR && errno != EAGAIN))
                p.close_all();
        }
    }
    kill(-pid, SIGKILL);  // nothing of the checker's process group outlives the run
    o.close_all(), e.close_all();
    if (WIFEXITED(wstatus)) {
        out.run.exit_code = WEXITSTATUS(wstatus);
    } else if (WIFSIGNALED(wstatus)) {
        out.run.signal = WTERMSIG(wstatus);
    }
    out.elapsed_s = elapsed();
    return out;
}

}  // namespace
}  // namespace ks::spank
