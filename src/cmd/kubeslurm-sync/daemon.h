// kubeslurm-sync's main loop. Informers keep the Kubernetes view current (KubeCache); one
// reconcile thread polls Slurm (cheap: only changes since the last update time), settles running
// return-to-service checks (ReturnChecks), runs the pure reconcile, carries out the actions as
// leader, and rewrites the topology files when the labels moved a node.
#pragma once

#include <atomic>
#include <condition_variable>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "common/config.h"
#include "executor.h"
#include "k8s/client.h"
#include "kube_cache.h"
#include "leader_elector.h"
#include "metrics_server.h"
#include "return_checks.h"
#include "sync/metrics.h"
#include "sync/settings.h"
#include "topology_out.h"

namespace ks::sync_daemon {

struct RunFlags {
    bool once = false;
    bool dry_run = false;
    std::string identity;    // leader election identity
    std::string action_log;  // JSON lines of executed actions ("" = none)
};

// Everything that SIGHUP may change.
struct Reloadable {
    sync::Settings settings;
    topology::LabelOptions labels;
    TopologyTargets topology;
    static Result<Reloadable> from(const config::Config& cfg);
};

class Daemon {
public:
    Daemon(Reloadable conf, std::unique_ptr<k8s::Client> client, RunFlags flags);
    ~Daemon();

    // --once: list, reconcile, act (or print with --dry-run), write topology; exit status.
    int run_once();
    // Until stop(): informers, leader election, metrics endpoint, reconcile loop.
    int run();
    void stop();
    void reload(Reloadable conf);

private:
    Status poll_slurm();
    void pass();
    void act(const std::vector<sync::Action>& actions);
    std::vector<sync::Action> recheck(std::vector<sync::Action> slurm_actions);
    void return_to_service(const std::vector<sync::Action>& actions);
    void mark_replaced();
    std::vector<sync::NodePair> pairs(const std::map<std::string, sync::KubeNode>& nodes,
                                      const std::vector<sync::SlurmdPod>& pods) const;
    void write_topology_now();
    void request_topology();
    void topology_loop();
    std::string metrics_text();
    bool healthy(std::string& why);
    bool leader() const { return !m_elector || m_elector->is_leader(); }

    std::mutex m_conf_mu;  // guards m_conf against reload()
    Reloadable m_conf;
    std::unique_ptr<k8s::Client> m_client;
    RunFlags m_flags;
    sync::Metrics m_metrics;
    KubeCache m_cache;
    EventRecorder m_events;
    Executor m_executor;
    LiveTopologyUpdates m_live_topology;  // written by write_topology_now() only
    ReturnChecks m_checks;
    bool m_was_leader = false;
    std::unique_ptr<k8s::Informer> m_nodes, m_pods;
    std::unique_ptr<LeaderElector> m_elector;
    std::unique_ptr<MetricsServer> m_server;

    std::map<std::string, sync::SlurmNode> m_slurm;
    std::time_t m_slurm_update = 0;
    std::atomic<bool> m_slurm_ok{false};
    Clock::time_point m_polled_at{};
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_force_topology{true};
    std::set<std::string> m_printed;  // dry-run: actions already shown
    std::atomic<bool> m_topology_failed{false};
    std::mutex m_topo_mu;
    std::condition_variable m_topo_cv;
    bool m_topo_dirty = false;
};

}  // namespace ks::sync_daemon
