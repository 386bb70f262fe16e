// Records Kubernetes Events from its own thread with its own Kubernetes client (and so its own
// request budget): telling of a verdict never delays acting on the next one, and a burst of
// Events (a whole rack cordoned) never starves the taint and condition patches. The queue is
// bounded; when it is full the oldest Event is dropped and counted.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "k8s/client.h"
#include "sync/metrics.h"

namespace ks::sync_daemon {

class EventRecorder {
public:
    static constexpr size_t kQueueLimit = 1000;

    EventRecorder(std::unique_ptr<k8s::Client> client, sync::Metrics& metrics, std::string identity);
    ~EventRecorder();  // flushes what is queued (for at most a few seconds), then stops

    void record(k8s::NodeEvent event);

private:
    void loop();

    std::unique_ptr<k8s::Client> m_client;
    sync::Metrics& m_metrics;
    std::string m_identity;
    std::mutex m_mu;
    std::condition_variable m_cv;
    std::deque<k8s::NodeEvent> m_queue;
    bool m_stop = false;
    std::thread m_thread;
};

}  // namespace ks::sync_daemon
