// The daemon's view of Kubernetes, fed by the informers' handlers (their threads) and read by the
// reconcile thread. Besides the parsed nodes and pods it keeps each node's topology record, so a
// label change that does not move a node in the topology does not rewrite topology.json.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sync/metrics.h"
#include "sync/state.h"
#include "topology/topology.h"

namespace ks::sync_daemon {

using Clock = std::chrono::steady_clock;

class KubeCache {
public:
    KubeCache(topology::LabelOptions labels, sync::Metrics& metrics);

    // Informer handlers: parse, store, mark dirty, wake the reconcile thread.
    void upsert_node(const nlohmann::json& object);
    void remove_node(const nlohmann::json& object);
    void upsert_pod(const nlohmann::json& object);
    void remove_pod(const nlohmann::json& object);
    void set_label_options(topology::LabelOptions labels);  // SIGHUP: recomputes every record

    // Waits until something changed or `deadline`; true when woken by a change.
    bool wait(Clock::time_point deadline);
    void wake();  // e.g. on shutdown or a leadership change

    struct Pass {
        std::vector<Clock::time_point> events;  // arrival times of the events this pass covers
        bool topology_changed = false;
    };
    // Takes the pending-change bookkeeping (the caller reconciles right after).
    Pass take_pending();
    // Kubernetes nodes whose providerID or bootID changed since the last call.
    std::set<std::string> take_replaced();

    // Runs `fn` under the cache lock (reconcile is pure and fast; no I/O inside).
    void with_state(const std::function<void(std::map<std::string, sync::KubeNode>& nodes,
                                             const std::vector<sync::SlurmdPod>& pods)>& fn);
    // Topology records: by Kubernetes node name (mapping=node) or renamed to the Slurm node of each
    // slurmd pod (mapping=pod).
    std::vector<topology::Node> topology_nodes(bool by_pods) const;
    size_t node_count() const;

private:
    void changed(bool topology);
    static std::string pod_key(const nlohmann::json& object);

    mutable std::mutex m_mu;
    std::condition_variable m_cv;
    topology::LabelOptions m_labels;
    sync::Metrics& m_metrics;
    std::map<std::string, sync::KubeNode> m_nodes;
    std::map<std::string, topology::StringMap> m_annotations;
    std::map<std::string, topology::Node> m_topology;  // by Kubernetes node name
    std::map<std::string, sync::SlurmdPod> m_pods;     // by namespace/name
    std::vector<sync::SlurmdPod> m_pod_list;           // m_pods' values, rebuilt on change
    std::vector<Clock::time_point> m_pending_events;
    std::set<std::string> m_replaced;
    bool m_dirty = false;
    bool m_topology_dirty = true;
};

}  // namespace ks::sync_daemon
