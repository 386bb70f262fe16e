#include "leader_elector.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>

#include "common/log.h"

namespace ks::sync_daemon {
namespace {

constexpr log::Logger kLog("sync: leader");

}  // namespace

std::string default_identity() {
    if (const char* pod = std::getenv("POD_NAME"); pod && *pod) return pod;
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return std::string(host) + "_" + std::to_string(getpid());
}

LeaderElector::LeaderElector(k8s::Client& client, std::string ns, std::string name, std::string identity,
                             int duration_s, sync::Metrics& metrics, std::function<void(bool)> on_change)
    : m_client(client), m_ns(std::move(ns)), m_name(std::move(name)),
      m_state(std::move(identity), std::chrono::seconds(duration_s)), m_metrics(metrics),
      m_on_change(std::move(on_change)) {}

LeaderElector::~LeaderElector() { stop(); }

void LeaderElector::start() { m_thread = std::thread([this] { loop(); }); }

void LeaderElector::stop() {
    {
        std::lock_guard lock(m_mu);
        if (m_stop && !m_thread.joinable()) return;
        m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

bool LeaderElector::is_leader() const {
    std::lock_guard lock(m_mu);
    return m_state.is_leader(sync::LeaderState::Clock::now());
}

// Lease times are MicroTime: RFC 3339 with exactly six fractional digits.
std::string LeaderElector::now_micro() const {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    std::tm tm{};
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char micro[16];
    std::snprintf(micro, sizeof micro, ".%06dZ", static_cast<int>(ts.tv_nsec / 1000 % 1000000));
    return std::string(buf) + micro;
}

void LeaderElector::loop() {
    for (;;) {
        step();
        bool leader = is_leader();
        if (leader != m_was_leader) {
            m_was_leader = leader;
            m_metrics.leader = leader ? 1 : 0;
            kLog.info(leader ? "acquired" : "lost", " lease ", m_ns, "/", m_name, " as ", m_state.identity());
            if (m_on_change) m_on_change(leader);
        }
        std::unique_lock lock(m_mu);
        if (m_cv.wait_for(lock, m_state.retry_period(), [&] { return m_stop; })) break;
    }
    release();
}

void LeaderElector::step() {
    auto got = m_client.get_lease(m_ns, m_name);
    if (!got) {
        kLog.warning("reading lease ", m_ns, "/", m_name, ": ", got.error());
        return;
    }
    const auto now = sync::LeaderState::Clock::now();
    std::optional<sync::LeaseView> view;
    if (*got) view = sync::LeaseView{(*got)->holder, (*got)->renew_time};
    sync::LeaseStep what;
    {
        std::lock_guard lock(m_mu);
        what = m_state.observe(view, now);
    }
    if (what == sync::LeaseStep::Wait) return;

    k8s::Lease lease = *got ? **got : k8s::Lease{};
    lease.ns = m_ns;
    lease.name = m_name;
    lease.duration_s = static_cast<int>(m_state.duration().count());
    lease.renew_time = now_micro();
    if (what != sync::LeaseStep::Renew) {
        lease.holder = m_state.identity();
        lease.acquire_time = lease.renew_time;
        if (what == sync::LeaseStep::Acquire) ++lease.transitions;
    }
    Result<bool> ok = what == sync::LeaseStep::Create ? m_client.create_lease(lease) : m_client.update_lease(lease);
    if (!ok) {
        kLog.warning("writing lease ", m_ns, "/", m_name, ": ", ok.error());
        return;
    }
    std::lock_guard lock(m_mu);
    m_state.written(*ok, now);
}

void LeaderElector::release() {
    bool leader;
    {
        std::lock_guard lock(m_mu);
        leader = m_state.is_leader(sync::LeaderState::Clock::now());
        m_state.lost();
    }
    m_metrics.leader = 0;
    if (!leader) return;
    auto got = m_client.get_lease(m_ns, m_name);
    if (!got || !*got || (*got)->holder != m_state.identity()) return;
    k8s::Lease lease = **got;
    lease.holder.clear();
    lease.renew_time = now_micro();
    auto ok = m_client.update_lease(lease);
    kLog.info(ok && *ok ? "released lease " : "could not release lease ", m_ns, "/", m_name);
}

}  // namespace ks::sync_daemon

