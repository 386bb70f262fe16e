#include "kube_cache.h"

#include <utility>

#include "common/log.h"
#include "sync/kube_json.h"
#include "sync/reconcile.h"

namespace ks::sync_daemon {
namespace {

constexpr log::Logger kLog("sync");

topology::StringMap string_map(const nlohmann::json& object, const char* field) {
    topology::StringMap out;
    auto meta = object.find("metadata");
    if (meta == object.end() || !meta->is_object()) return out;
    auto m = meta->find(field);
    if (m == meta->end() || !m->is_object()) return out;
    for (const auto& [k, v] : m->items())
        if (v.is_string()) out.emplace(k, v.get<std::string>());
    return out;
}

topology::StringMap to_string_map(const std::map<std::string, std::string>& m) {
    return topology::StringMap(m.begin(), m.end());
}

}  // namespace

KubeCache::KubeCache(topology::LabelOptions labels, sync::Metrics& metrics)
    : m_labels(std::move(labels)), m_metrics(metrics) {}

void KubeCache::changed(bool topology) {
    m_dirty = true;
    m_topology_dirty = m_topology_dirty || topology;
    m_pending_events.push_back(Clock::now());
    m_metrics.events.fetch_add(1, std::memory_order_relaxed);
    m_cv.notify_all();
}

void KubeCache::upsert_node(const nlohmann::json& object) {
    auto node = sync::kube_node_from_json(object);
    if (!node) {
        kLog.warning("ignoring node: ", node.error());
        return;
    }
    auto annotations = string_map(object, "annotations");
    auto labels = to_string_map(node->labels);
    std::lock_guard lock(m_mu);
    auto record = topology::node_from_labels(node->name, labels, annotations, m_labels);
    auto it = m_topology.find(node->name);
    const bool topo_changed = it == m_topology.end() || !(it->second == record);
    m_topology[node->name] = std::move(record);
    m_annotations[node->name] = std::move(annotations);
    std::string name = node->name;
    // A new providerID or bootID under the same name: the machine was replaced or rebooted.
    auto old = m_nodes.find(name);
    if (old != m_nodes.end() && !old->second.identity.empty() && !node->identity.empty() &&
        old->second.identity != node->identity) {
        kLog.info("node ", name, " replaced: '", old->second.identity, "' -> '", node->identity, "'");
        m_replaced.insert(name);
    }
    m_nodes[name] = std::move(*node);
    changed(topo_changed);
}

std::set<std::string> KubeCache::take_replaced() {
    std::lock_guard lock(m_mu);
    return std::exchange(m_replaced, {});
}

void KubeCache::remove_node(const nlohmann::json& object) {
    auto node = sync::kube_node_from_json(object);
    if (!node) return;
    std::lock_guard lock(m_mu);
    m_nodes.erase(node->name);
    m_annotations.erase(node->name);
    m_topology.erase(node->name);
    changed(true);
}

std::string KubeCache::pod_key(const nlohmann::json& object) {
    auto meta = object.value("metadata", nlohmann::json::object());
    return meta.value("namespace", "") + "/" + meta.value("name", "");
}

void KubeCache::upsert_pod(const nlohmann::json& object) {
    auto pod = sync::slurmd_pod_from_json(object);
    if (!pod) {
        kLog.warning("ignoring pod: ", pod.error());
        return;
    }
    std::lock_guard lock(m_mu);
    auto& slot = m_pods[pod_key(object)];
    if (slot.name == pod->name && slot.hostname == pod->hostname && slot.node_name == pod->node_name) return;
    slot = std::move(*pod);
    m_pod_list.clear();
    for (const auto& [k, p] : m_pods) m_pod_list.push_back(p);
    changed(true);
}

void KubeCache::remove_pod(const nlohmann::json& object) {
    std::lock_guard lock(m_mu);
    if (!m_pods.erase(pod_key(object))) return;
    m_pod_list.clear();
    for (const auto& [k, p] : m_pods) m_pod_list.push_back(p);
    changed(true);
}

void KubeCache::set_label_options(topology::LabelOptions labels) {
    std::lock_guard lock(m_mu);
    m_labels = std::move(labels);
    for (auto& [name, record] : m_topology)
        record = topology::node_from_labels(name, to_string_map(m_nodes[name].labels), m_annotations[name], m_labels);
    m_topology_dirty = true;
    m_dirty = true;
    m_cv.notify_all();
}

bool KubeCache::wait(Clock::time_point deadline) {
    std::unique_lock lock(m_mu);
    return m_cv.wait_until(lock, deadline, [&] { return m_dirty; });
}

void KubeCache::wake() {
    std::lock_guard lock(m_mu);
    m_dirty = true;
    m_cv.notify_all();
}

KubeCache::Pass KubeCache::take_pending() {
    std::lock_guard lock(m_mu);
    Pass p;
    p.events.swap(m_pending_events);
    p.topology_changed = m_topology_dirty;
    m_topology_dirty = false;
    m_dirty = false;
    return p;
}

void KubeCache::with_state(const std::function<void(std::map<std::string, sync::KubeNode>&,
                                                    const std::vector<sync::SlurmdPod>&)>& fn) {
    std::lock_guard lock(m_mu);
    fn(m_nodes, m_pod_list);
}

std::vector<topology::Node> KubeCache::topology_nodes(bool by_pods) const {
    std::lock_guard lock(m_mu);
    std::vector<topology::Node> out;
    if (!by_pods) {
        out.reserve(m_topology.size());
        for (const auto& [name, record] : m_topology) out.push_back(record);
        return out;
    }
    for (const auto& [slurm, kube] : sync::map_by_pods(m_pod_list)) {
        auto it = m_topology.find(kube);
        if (it == m_topology.end()) continue;
        topology::Node n = it->second;
        n.name = slurm;
        out.push_back(std::move(n));
    }
    return out;
}

size_t KubeCache::node_count() const {
    std::lock_guard lock(m_mu);
    return m_nodes.size();
}

}  // namespace ks::sync_daemon
