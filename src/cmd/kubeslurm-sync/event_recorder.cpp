#include "event_recorder.h"

#include <chrono>

#include "common/log.h"

namespace ks::sync_daemon {
namespace {
constexpr log::Logger kLog("sync");
constexpr auto kFlushTime = std::chrono::seconds(5);
}  // namespace

EventRecorder::EventRecorder(std::unique_ptr<k8s::Client> client, sync::Metrics& metrics, std::string identity)
    : m_client(std::move(client)), m_metrics(metrics), m_identity(std::move(identity)),
      m_thread([this] { loop(); }) {}

EventRecorder::~EventRecorder() {
    {
        std::lock_guard lock(m_mu);
        m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
}

void EventRecorder::record(k8s::NodeEvent event) {
    event.instance = m_identity;
    {
        std::lock_guard lock(m_mu);
        if (m_queue.size() >= kQueueLimit) {
            m_queue.pop_front();
            m_metrics.event_drops.fetch_add(1);
        }
        m_queue.push_back(std::move(event));
    }
    m_cv.notify_all();
}

void EventRecorder::loop() {
    std::unique_lock lock(m_mu);
    std::chrono::steady_clock::time_point flush_until{};
    for (;;) {
        m_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_stop) {
            if (flush_until == std::chrono::steady_clock::time_point{})
                flush_until = std::chrono::steady_clock::now() + kFlushTime;
            if (m_queue.empty() || std::chrono::steady_clock::now() > flush_until) break;
        }
        k8s::NodeEvent e = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        if (auto r = m_client->create_node_event(e); r) m_metrics.event_writes.fetch_add(1);
        else kLog.warning(r.error());
        lock.lock();
    }
    if (!m_queue.empty()) {
        m_metrics.event_drops.fetch_add(static_cast<long>(m_queue.size()));
        kLog.warning(m_queue.size(), " Kubernetes Events not recorded at shutdown");
    }
}

}  // namespace ks::sync_daemon
