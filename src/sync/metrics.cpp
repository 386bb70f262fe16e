#include "sync/metrics.h"

#include <sstream>

namespace ks::sync {
namespace {

void series(std::ostringstream& os, const char* name, const char* type, const char* help, long value) {
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
       << name << ' ' << value << '\n';
}

}  // namespace

void LagHistogram::observe(double seconds) {
    for (size_t i = 0; i < kBounds.size(); ++i)
        if (seconds <= kBounds[i]) m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sum_us.fetch_add(static_cast<long long>(seconds * 1e6), std::memory_order_relaxed);
}

std::string LagHistogram::render(const std::string& name, const std::string& help) const {
    std::ostringstream os;
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
    for (size_t i = 0; i < kBounds.size(); ++i)
        os << name << "_bucket{le=\"" << kBounds[i] << "\"} " << m_buckets[i].load() << '\n';
    os << name << "_bucket{le=\"+Inf\"} " << m_count.load() << '\n'
       << name << "_sum " << static_cast<double>(m_sum_us.load()) / 1e6 << '\n'
       << name << "_count " << m_count.load() << '\n';
    return os.str();
}

std::string Metrics::render() const {
    std::ostringstream os;
    series(os, "kubeslurm_sync_events_total", "counter", "Kubernetes watch events handled.", events);
    series(os, "kubeslurm_sync_relists_total", "counter", "Full relists (410 Gone, errors).", relists);
    series(os, "kubeslurm_sync_api_errors_total", "counter", "Failed Kubernetes API calls.", api_errors);
    series(os, "kubeslurm_sync_api_retries_total", "counter", "Retried Kubernetes API requests.", api_retries);
    series(os, "kubeslurm_sync_action_errors_total", "counter", "Failed actions (retried later).", action_errors);
    series(os, "kubeslurm_sync_slurm_errors_total", "counter", "Failed Slurm API calls.", slurm_errors);
    series(os, "kubeslurm_sync_drains_total", "counter", "Slurm nodes drained (reason kubeslurm: k8s:).", drains);
    series(os, "kubeslurm_sync_resumes_total", "counter", "Slurm nodes resumed (own drains only).", resumes);
    series(os, "kubeslurm_sync_feature_updates_total", "counter", "Slurm node feature updates.", feature_updates);
    series(os, "kubeslurm_sync_condition_updates_total", "counter", "Kubernetes health condition updates.",
           condition_updates);
    series(os, "kubeslurm_sync_taint_updates_total", "counter", "Kubernetes unhealthy taint updates.", taint_updates);
    series(os, "kubeslurm_sync_topology_writes_total", "counter", "topology.json rewrites (content changed).",
           topology_writes);
    series(os, "kubeslurm_sync_reconcile_passes_total", "counter", "Reconcile passes.", passes);
    series(os, "kubeslurm_sync_leader", "gauge", "1 while this replica holds the lease and acts.", leader);
    series(os, "kubeslurm_sync_kube_nodes", "gauge", "Kubernetes nodes in the cache.", kube_nodes);
    series(os, "kubeslurm_sync_slurm_nodes", "gauge", "Slurm nodes known.", slurm_nodes);
    series(os, "kubeslurm_sync_mapped_nodes", "gauge", "Slurm nodes mapped to a Kubernetes node.", mapped_nodes);
    os << lag.render("kubeslurm_sync_event_lag_seconds",
                     "From a Kubernetes event's arrival to the end of the pass that handled it.");
    return os.str();
}

}  // namespace ks::sync
