// Carries out reconcile actions: Slurm through libslurm, Kubernetes through the client. Every
// action that succeeds is counted and, when an action log is set, recorded as one JSON line
// {"t": <unix seconds>, "action": "drain", "slurm_node": …, "kube_node": …} (audit, benchmarks),
// and each verdict is also recorded as a Kubernetes Event on the node (sync/node_events.h).
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "event_recorder.h"
#include "k8s/client.h"
#include "sync/metrics.h"
#include "sync/reconcile.h"

namespace ks::sync_daemon {

class Executor {
public:
    // `events` (may be null: none recorded) tells each verdict as a Kubernetes Event.
    Executor(k8s::Client* client, sync::Metrics& metrics, sync::Options options, EventRecorder* events);
    ~Executor();

    void set_options(sync::Options options);  // SIGHUP, from another thread
    Status open_action_log(const std::string& path);
    Status execute(const sync::Action& action);
    // Identical Slurm actions (same kind, reason, features) on several nodes in one RPC with a
    // hostlist expression.
    Status execute_slurm_batch(const std::vector<sync::Action>& same);

private:
    Status run(const sync::Action& action);
    void succeeded(const sync::Action& action);
    void record(const sync::Action& action);

    k8s::Client* m_client;  // null: no Kubernetes side (never for the daemon; tests only)
    sync::Metrics& m_metrics;
    EventRecorder* m_events;
    sync::Options options() const;

    mutable std::mutex m_options_mu;
    sync::Options m_options;
    std::FILE* m_log = nullptr;
    std::mutex m_log_mu;
};

const char* action_name(sync::ActionKind kind);
double unix_now();

}  // namespace ks::sync_daemon
