// Drives sync::LeaderState against a coordination.k8s.io Lease from its own thread: read the
// lease, create / renew / take it over, and call `on_change` when leadership starts or ends.
// With leader election off, is_leader() is always true.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "k8s/client.h"
#include "sync/leader.h"
#include "sync/metrics.h"

namespace ks::sync_daemon {

class LeaderElector {
public:
    LeaderElector(k8s::Client& client, std::string ns, std::string name, std::string identity,
                  int duration_s, sync::Metrics& metrics, std::function<void(bool)> on_change);
    ~LeaderElector();

    void start();
    // Stops the thread; a leader releases the lease (empty holder) so a standby takes over at once.
    void stop();
    bool is_leader() const;

private:
    void loop();
    void step();
    void release();
    std::string now_micro() const;

    k8s::Client& m_client;
    std::string m_ns, m_name;
    sync::LeaderState m_state;
    sync::Metrics& m_metrics;
    std::function<void(bool)> m_on_change;
    mutable std::mutex m_mu;
    std::condition_variable m_cv;
    bool m_stop = false;
    bool m_was_leader = false;
    std::thread m_thread;
};

// A default identity: $POD_NAME, else hostname_pid.
std::string default_identity();

}  // namespace ks::sync_daemon
