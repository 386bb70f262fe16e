// kubeslurm-sync's counters and their Prometheus text rendering (exposition format 0.0.4).
// Updated from several threads: every field is atomic.
#pragma once

#include <array>
#include <atomic>
#include <string>

namespace ks::sync {

// Event lag: from a Kubernetes event's arrival to the end of the reconcile pass that handled it.
class LagHistogram {
public:
    static constexpr std::array<double, 10> kBounds{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
    void observe(double seconds);
    std::string render(const std::string& name, const std::string& help) const;

private:
    std::array<std::atomic<long>, kBounds.size()> m_buckets{};
    std::atomic<long> m_count{0};
    std::atomic<long long> m_sum_us{0};
};

struct Metrics {
    std::atomic<long> events{0};           // Kubernetes watch events (nodes and pods)
    std::atomic<long> relists{0};          // full relists after 410 / errors
    std::atomic<long> api_errors{0};       // failed Kubernetes API requests (client's count)
    std::atomic<long> api_retries{0};      // retried Kubernetes API requests (429, 5xx, transport)
    std::atomic<long> action_errors{0};    // actions that failed (retried on a later pass)
    std::atomic<long> slurm_errors{0};     // failed libslurm calls
    std::atomic<long> drains{0}, resumes{0}, feature_updates{0};
    std::atomic<long> condition_updates{0}, taint_updates{0};
    std::atomic<long> topology_writes{0};
    std::atomic<long> passes{0};           // reconcile passes
    std::atomic<long> leader{0};           // 1 while this replica acts
    std::atomic<long> kube_nodes{0}, slurm_nodes{0}, mapped_nodes{0};
    LagHistogram lag;

    std::string render() const;
};

}  // namespace ks::sync
