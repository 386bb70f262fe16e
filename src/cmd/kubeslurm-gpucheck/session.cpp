#include "session.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "common/trust.h"
#include "health/gpu_checks.h"
#include "health/host_checks.h"
#include "health/hostnet_check.h"
#include "health/rendezvous_tcp.h"
#include "health/slurm_facts.h"
#include "health/runner.h"
#include "health/thresholds.h"

namespace ks::gpucheck {
namespace {

const ks::log::Logger logger("gpucheck");
using health::Clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// A live "[2/5] host.membw 40%" line on a terminal (site-staff mode only).
class ProgressLine {
public:
    explicit ProgressLine(bool enabled) : m_enabled(enabled) {}
    void start(const std::string& check, size_t index, size_t count) {
        std::lock_guard lock(m_mu);
        m_check = check;
        m_prefix = "[" + std::to_string(index + 1) + "/" + std::to_string(count) + "] ";
        draw(0);
    }
    void update(double fraction) {
        std::lock_guard lock(m_mu);
        // A burn-in loop reports hundreds of times a second: redraw at most ten times.
        auto now = Clock::now();
        if (now - m_last < std::chrono::milliseconds(100)) return;
        m_last = now;
        draw(fraction);
    }
    void clear() {
        if (m_enabled) std::fprintf(stderr, "\r\033[K");
    }

private:
    void draw(double fraction) {
        if (!m_enabled) return;
        int pct = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 100);
        std::fprintf(stderr, "\r\033[K%s%s %d%%", m_prefix.c_str(), m_check.c_str(), pct);
        std::fflush(stderr);
    }
    bool m_enabled;
    std::mutex m_mu;
    std::string m_check, m_prefix;
    Clock::time_point m_last{};
};

}  // namespace

namespace {

// As root (the prolog), nothing that anyone but root could have written is loaded or read
// (sshd StrictModes). What is absent is no such risk: a missing GPU backend reports skip, missing
// thresholds are reported by their loader.
Status check_root_owned(const std::string& path, trust::Kind kind, const char* key) {
    struct stat st {};
    if (geteuid() != 0 || path.empty() || ::stat(path.c_str(), &st) != 0) return {};
    return trust::check(path, kind, key);
}

}  // namespace

Result<std::unique_ptr<Session>> Session::create(const Options& opts, const config::Config& cfg) {
    std::unique_ptr<Session> s(new Session(opts, cfg));
    s->m_registry.add(health::make_host_memory_check());
    s->m_registry.add(health::make_host_membw_check());
    s->m_registry.add(health::make_hostnet_check());
    // Device indices are physical (PCI bus order) everywhere: Slurm's, NVML's and CUDA's.
    setenv("CUDA_DEVICE_ORDER", "PCI_BUS_ID", 1);
    const std::string backend = health::gpu_backend_path(cfg.str("GpuBackend"));
    if (auto st = check_root_owned(backend, trust::Kind::File, "GpuBackend"); !st) return Error{"refused: " + st.error()};
    auto gpu = health::load_gpu_checks(backend);
    if (!gpu.load_error.empty()) logger.verbose("GPU checks skipped: ", gpu.load_error);
    for (auto& c : gpu.checks) s->m_registry.add(c);
    if (opts.list_checks) return s;

    auto job = health::job_context_from_env(opts.prolog, opts.node, [](const char* n) { return std::getenv(n); });
    if (!job) return Error{job.error()};
    s->m_job = std::move(job.value());

    for (auto [key, kind] : {std::pair{"ThresholdsDir", trust::Kind::Directory}, {"SiteThresholdsFile", trust::Kind::File}})
        if (auto st = check_root_owned(cfg.str(key), kind, key); !st) return Error{"refused: " + st.error()};
    auto thresholds = health::Thresholds::load(cfg.str("ThresholdsDir"), cfg.str("SiteThresholdsFile"));
    if (!thresholds) return Error{thresholds.error()};
    s->m_sku = health::detect_gpu_sku(s->m_job.devices);
    s->m_thresholds = thresholds->resolve(s->m_sku, s->m_job.node);
    for (const auto& name : opts.only) {
        const auto& all = s->m_registry.all();
        if (std::none_of(all.begin(), all.end(), [&](const auto& c) { return c->name() == name; }))
            return Error{"--check: no check named '" + name + "' (see --list-checks)"};
    }
    return s;
}

std::string Session::list_checks() const {
    std::string out;
    for (const auto& c : m_registry.all()) {
        char line[512];
        std::snprintf(line, sizeof line, "%-22s %-26s %-6s %s%s\n", c->name().c_str(),
                      health::levels_text(c->levels()).c_str(), c->unit().empty() ? "-" : c->unit().c_str(),
                      c->description().c_str(), c->multi_node() ? " (multi-node)" : "");
        out += line;
    }
    return out;
}

std::vector<health::CheckPtr> Session::selected(bool multi_node) const {
    std::vector<health::CheckPtr> out;
    for (const auto& c : m_registry.for_level(m_opts.level)) {
        if (c->multi_node() != multi_node) continue;
        if (!m_opts.only.empty() && std::find(m_opts.only.begin(), m_opts.only.end(), c->name()) == m_opts.only.end())
            continue;
        out.push_back(c);
    }
    return out;
}

double Session::run_timeout_s() const {
    if (m_opts.timeout_s) return *m_opts.timeout_s;
    // Finish before the prolog's own deadline (CheckTimeout) so that the gate gets our JSON.
    double t = std::max(1.0, static_cast<double>(m_cfg.integer("CheckTimeout")) - 2.0);
    if (m_opts.level == health::Level::Burnin) t += m_opts.duration_s * 1.2 + 60;
    return t;
}

void Session::emit(const health::Report& report) {
    if (m_emitted.exchange(true)) return;
    std::string json = health::report_text(report);
    if (m_opts.prolog) {
        std::fwrite(json.data(), 1, json.size(), stdout);
        std::fflush(stdout);
        return;
    }
    std::string table = health::render_table(report);
    std::fwrite(table.data(), 1, table.size(), stdout);
    std::fflush(stdout);
    if (m_opts.json_path == "-") {
        std::fwrite(json.data(), 1, json.size(), stdout);
        std::fflush(stdout);
    } else if (!m_opts.json_path.empty()) {
        std::ofstream f(m_opts.json_path);
        f << json;
        if (!f.flush()) logger.error(m_opts.json_path, ": cannot write the JSON report");
    }
}

void Session::start_emergency_watchdog(double timeout_s) {
    // Last resort for a hang outside the per-check watchdog (driver calls while loading, a
    // stuck rendezvous socket): report a timeout and leave within the deadline.
    std::thread([this, timeout_s] {
        std::this_thread::sleep_for(std::chrono::duration<double>(timeout_s + 0.5));
        health::Report report;
        report.node = m_job.node;
        report.job_id = m_job.job_id;
        report.level = m_opts.level;
        report.duration_s = timeout_s + 0.5;
        report.results.push_back(health::timed_out("gpucheck", timeout_s));
        if (m_emitted.load()) return;
        logger.error("the run did not finish within ", timeout_s, " s; giving up");
        emit(report);
        std::_Exit(health::kExitTimeout);
    }).detach();
}

std::unique_ptr<health::Rendezvous> Session::meet(double left_s, std::vector<health::CheckResult>& results) {
    if (!m_job.job_id) {
        results.push_back(health::errored("rendezvous", "multi-node checks need SLURM_JOB_ID"));
        return nullptr;
    }
    health::SlurmFacts facts = health::load_slurm_facts();
    if (!facts.error.empty()) logger.verbose("slurm: ", facts.error);
    health::RendezvousSettings s;
    s.job_id = *m_job.job_id;
    s.nodes = m_job.nodes;
    s.rank = m_job.rank;
    auto [lo, hi] = m_cfg.range("RendezvousPorts");
    s.port = health::rendezvous_port(s.job_id, lo, hi);
    // Leave time for the multi-node checks and the report before the run deadline.
    s.timeout_s = std::min(static_cast<double>(m_cfg.integer("RendezvousTimeout")), std::max(0.5, left_s - 1.0));
    s.max_wait_s = std::max(0.5, left_s - 0.5);
    s.policy.uids.push_back(0);
    if (const passwd* pw = getpwnam(m_cfg.str("SlurmUser").c_str())) s.policy.uids.push_back(pw->pw_uid);
    if (facts.slurm_user_uid) s.policy.uids.push_back(*facts.slurm_user_uid);
    if (s.rank != 0) {
        s.leader_addr = health::node_address(m_job.nodes.front());
        if (s.leader_addr.empty()) {
            results.push_back(health::blamed_on_peers("rendezvous", health::Status::Fail, {m_job.nodes.front()},
                                                      "cannot resolve the address of the leader " + m_job.nodes.front()));
            return nullptr;
        }
    }
    std::string socket = m_opts.munge_socket;
    if (socket.empty() && std::getenv("KUBESLURM_MUNGE_SOCKET")) socket = std::getenv("KUBESLURM_MUNGE_SOCKET");
    if (socket.empty()) socket = facts.munge_socket;
    logger.verbose("rendezvous: rank ", s.rank, "/", s.nodes.size(), " leader ", s.nodes.front(), " ",
                   s.rank ? s.leader_addr : std::string("(this node)"), ":", s.port, " munge '", socket, "' timeout ",
                   s.timeout_s, " s");

    auto out = health::meet(s, std::shared_ptr<health::Authenticator>(health::make_munge_authenticator(socket)));
    if (!out.error.empty()) {
        results.push_back(health::errored("rendezvous", out.error));
        return nullptr;
    }
    if (!out.missing.empty()) {
        std::string names;
        for (const auto& m : out.missing) names += (names.empty() ? "" : ", ") + m;
        std::string why = s.rank == 0 ? "never arrived within " + health::format_number(s.timeout_s) + " s: " + names
                          : out.missing.size() == 1 && out.missing.front() == s.nodes.front()
                              ? "the leader " + names + " could not be reached or did not answer"
                              : "the leader reports nodes that never arrived: " + names;
        results.push_back(health::blamed_on_peers("rendezvous", health::Status::Fail, out.missing, why));
        return nullptr;
    }
    health::CheckResult ok = health::measured("rendezvous", out.seconds, "<=", s.timeout_s, "s",
                                              std::to_string(s.nodes.size()) + " nodes met");
    results.push_back(ok);
    return std::move(out.rendezvous);
}

int Session::run() {
    const auto started = Clock::now();
    const double timeout_s = run_timeout_s();
    const auto run_deadline = started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
    start_emergency_watchdog(timeout_s);

    ProgressLine progress(!m_opts.prolog && isatty(STDERR_FILENO));
    health::CheckContext base;
    base.node = m_job.node;
    base.job_id = m_job.job_id;
    base.level = m_opts.level;
    base.devices = m_job.devices;
    base.thresholds = m_thresholds;
    base.duration_s = m_opts.duration_s;
    base.progress = [&progress](double f) { progress.update(f); };
    health::RunHooks hooks;
    hooks.on_start = [&progress](const std::string& n, size_t i, size_t count) { progress.start(n, i, count); };

    logger.verbose("node ", m_job.node, " rank ", m_job.rank, "/", m_job.nodes.size(), " level ",
                   health::level_name(m_opts.level), " sku '", m_sku, "' deadline ", timeout_s, " s");
    // A burn-in's --duration is the whole run's: split over the checks that will measure.
    const auto single = selected(false), multi = selected(true);
    const double burnin_weight = health::burnin_weights(single) +
                                 (m_job.multi_node() ? health::burnin_weights(multi) : 0.0);
    auto local = health::run_checks(single, base, run_deadline, hooks, burnin_weight);
    health::Report report;
    report.node = m_job.node;
    report.job_id = m_job.job_id;
    report.level = m_opts.level;
    report.results = std::move(local.results);
    bool abandoned = local.abandoned;

    if (!multi.empty()) {
        if (!m_job.multi_node()) {
            for (const auto& c : multi) report.results.push_back(health::skipped(c->name(), "single node: nothing to check across nodes"));
        } else {
            double left = std::chrono::duration<double>(run_deadline - Clock::now()).count();
            auto rendezvous = meet(left, report.results);
            if (rendezvous) {
                base.rendezvous = rendezvous.get();
                auto across = health::run_checks(multi, base, run_deadline, hooks, burnin_weight);
                abandoned = abandoned || across.abandoned;
                for (auto& r : across.results) report.results.push_back(std::move(r));
                // Keep the rendezvous alive if a check thread still uses it.
                if (across.abandoned) (void)rendezvous.release();
            } else {
                for (const auto& c : multi) report.results.push_back(health::skipped(c->name(), "the rendezvous did not complete"));
            }
        }
    }
    progress.clear();
    report.duration_s = seconds_since(started);
    emit(report);
    int code = health::exit_code(health::verdict(report.results));
    if (abandoned) {
        // A check thread is stuck in a call that cannot be cancelled: leave without running
        // destructors that would wait for it.
        std::fflush(nullptr);
        _exit(code);
    }
    return code;
}

}  // namespace ks::gpucheck
