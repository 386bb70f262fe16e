#include "common/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern char** environ;

namespace ks {
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
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

// Where the child's stream goes: a pipe to capture (r kept by the parent), or a file.
struct Sink {
    int parent = -1;  // read end of the capture pipe
    int child = -1;   // what the child gets as its stream
    bool open(const std::string& file) {
        if (!file.empty()) {
            child = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            return child >= 0;
        }
        Pipe p;
        if (!p.open()) return false;
        parent = p.r;
        child = p.w;
        return true;
    }
};

// `name` without a '/' looked up in $PATH, as execvp would (done before fork: the child may
// only make async-signal-safe calls).
std::string find_in_path(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/bin:/bin";
    while (true) {
        auto colon = dirs.find(':');
        std::string dir(dirs.substr(0, colon));
        std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
        if (colon == std::string_view::npos) return name;
        dirs.remove_prefix(colon + 1);
    }
}

// In the child between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(const char* path, char* const argv[], char* const envp[], int out, int err,
                             int status) {
    setpgid(0, 0);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig = 1; sig < NSIG; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 ||
        dup2(err, STDERR_FILENO) < 0) {
        int e = errno;
        (void)!write(status, &e, sizeof e);
        _exit(127);
    }
    // Nothing of the host process (slurmstepd's sockets, files) leaks into the program; the
    // status pipe closes itself on a successful exec.
    if (status > 3) close_range(3, static_cast<unsigned>(status) - 1, 0);
    close_range(static_cast<unsigned>(status) + 1, ~0U, 0);
    execve(path, argv, envp);
    int e = errno;
    (void)!write(status, &e, sizeof e);
    _exit(127);
}

void append_capped(std::string& to, const char* data, size_t n, size_t cap) {
    if (to.size() < cap) to.append(data, std::min(n, cap - to.size()));
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

ChildProcess::ChildProcess(const ChildSpec& spec)
    : m_start(Clock::now()), m_deadline(m_start + spec.deadline), m_grace(spec.kill_grace),
      m_cap(spec.max_output) {
    m_out.failure = start(spec);
    m_out.started = m_out.failure.empty();
    if (!m_out.started) {
        m_out.elapsed_s = seconds_since(m_start);
        m_finished = true;
    }
}

std::string ChildProcess::start(const ChildSpec& spec) {
    std::string path = spec.path;
    const bool bare_name = !path.empty() && path.find('/') == std::string::npos;
    if (spec.search_path && bare_name) path = find_in_path(path);
    if (path.empty() || path.front() != '/')
        return spec.search_path && bare_name ? "cannot execute " + path + ": " + std::strerror(ENOENT)
                                             : "program path '" + path + "' is not absolute";
    std::vector<std::string> argv_s{spec.path};
    argv_s.insert(argv_s.end(), spec.args.begin(), spec.args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_s = spec.env.value_or(std::vector<std::string>{});
    for (auto& e : env_s) envp.push_back(e.data());
    envp.push_back(nullptr);

    Sink out, err;
    Pipe status;
    const auto close_all = [&] {
        for (int* fd : {&out.parent, &out.child, &err.parent, &err.child, &status.r, &status.w}) close_fd(*fd);
    };
    if (!out.open(spec.stdout_file) || !err.open(spec.stderr_file) || !status.open()) {
        int e = errno;
        close_all();
        return "cannot open the program's output: " + std::string(std::strerror(e));
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close_all();
        return std::string("fork: ") + std::strerror(e);
    }
    if (pid == 0) exec_child(path.c_str(), argv.data(), spec.env ? envp.data() : environ, out.child, err.child, status.w);

    setpgid(pid, pid);  // also done by the child: whichever runs first wins the race
    close_fd(out.child), close_fd(err.child), close_fd(status.w);
    int exec_errno = 0;
    if (read(status.r, &exec_errno, sizeof exec_errno) == static_cast<ssize_t>(sizeof exec_errno)) {
        waitpid(pid, nullptr, 0);
        close_all();
        return "cannot execute " + path + ": " + std::strerror(exec_errno);
    }
    close_fd(status.r);
    m_pid = pid;
    m_stdout = out.parent;
    m_stderr = err.parent;
    return {};
}

ChildProcess::~ChildProcess() {
    if (m_finished || m_pid < 0) return;
    kill(-m_pid, SIGKILL);
    if (!m_reaped) waitpid(m_pid, nullptr, 0);
    close_fd(m_stdout), close_fd(m_stderr);
}

bool ChildProcess::poll(std::chrono::milliseconds wait) {
    if (m_finished) return true;
    const auto now = Clock::now();
    if (!m_reaped && waitpid(m_pid, &m_wstatus, WNOHANG) == m_pid) {
        m_reaped = true;
        m_reaped_at = now;
    }
    // Done when the program exited and its pipes are drained (or a leftover descendant keeps
    // them open for more than a moment).
    if (m_reaped && ((m_stdout < 0 && m_stderr < 0) || now - m_reaped_at > std::chrono::milliseconds(200))) {
        finish();
        return true;
    }
    if (!m_reaped && !m_term_sent && now >= m_deadline) {
        m_out.timed_out = true;
        kill(-m_pid, SIGTERM);
        m_term_sent = true;
        m_kill_at = now + m_grace;
    }
    if (!m_reaped && m_term_sent && now >= m_kill_at) {
        kill(-m_pid, SIGKILL);
        waitpid(m_pid, &m_wstatus, 0);
        m_reaped = true;
        m_reaped_at = now;
    }
    pollfd fds[2];
    nfds_t n = 0;
    for (int fd : {m_stdout, m_stderr})
        if (fd >= 0) fds[n++] = {fd, POLLIN, 0};
    if (n == 0) {
        if (wait.count() > 0) usleep(static_cast<useconds_t>(std::min<long long>(wait.count(), 20) * 1000));
        return false;
    }
    if (::poll(fds, n, static_cast<int>(wait.count())) <= 0) return false;
    char buf[8192];
    for (nfds_t i = 0; i < n; ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        int& fd = fds[i].fd == m_stdout ? m_stdout : m_stderr;
        std::string& to = fds[i].fd == m_stdout ? m_out.stdout_text : m_out.stderr_text;
        ssize_t got = read(fd, buf, sizeof buf);
        if (got > 0)
            append_capped(to, buf, static_cast<size_t>(got), m_cap);
        else if (got == 0 || (errno != EINTR && errno != EAGAIN))
            close_fd(fd);
    }
    return false;
}

void ChildProcess::finish() {
    kill(-m_pid, SIGKILL);  // nothing of the program's process group outlives the run
    close_fd(m_stdout), close_fd(m_stderr);
    if (WIFEXITED(m_wstatus)) {
        m_out.exit_code = WEXITSTATUS(m_wstatus);
    } else if (WIFSIGNALED(m_wstatus)) {
        m_out.signal = WTERMSIG(m_wstatus);
    }
    m_out.elapsed_s = seconds_since(m_start);
    m_finished = true;
}

ChildOutcome run_child(const ChildSpec& spec) {
    struct sigaction dfl {}, saved {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, &saved);
    ChildOutcome out;
    {
        ChildProcess child(spec);
        while (!child.poll(std::chrono::milliseconds(50))) {
        }
        out = child.outcome();
    }
    sigaction(SIGCHLD, &saved, nullptr);
    return out;
}

}  // namespace ks
