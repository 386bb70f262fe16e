// kubeslurm-sync's metrics and their Prometheus text rendering (exposition format 0.0.4).
// Updated from several threads: scalars are atomic, labelled series sit behind a mutex.
// Names follow the Prometheus conventions: kubeslurm_sync_ prefix, base units in the name
// (_seconds), _total for counters.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sync/reasons.h"

namespace ks::sync {

class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    void observe(double seconds);
    std::string render(const std::string& name, const std::string& help) const;

private:
    std::vector<double> m_bounds;
    std::vector<std::atomic<long>> m_buckets;
    std::atomic<long> m_count{0};
    std::atomic<long long> m_sum_us{0};
};

// A counter with one label (drains by cause, ...).
class LabeledCounter {
public:
    void add(const std::string& value, long n = 1);
    long get(const std::string& value) const;
    std::string render(const std::string& name, const std::string& label, const std::string& help) const;

private:
    mutable std::mutex m_mu;
    std::map<std::string, long> m_counts;
};

// The last health verdict kubeslurm-sync knows of per Slurm node: a health-gate drain it saw, or
// the outcome of a return-to-service check it ran; with the failing check's figure when it has one.
class NodeVerdicts {
public:
    static constexpr const char* kVerdicts[] = {"pass", "fail", "error"};
    void set(const std::string& node, const std::string& verdict, const std::string& check,
             const std::optional<Figure>& figure, double unix_time);
    std::string render() const;

private:
    struct Last {
        std::string verdict, check;
        std::optional<Figure> figure;
        double time = 0;
    };
    mutable std::mutex m_mu;
    std::map<std::string, Last> m_nodes;
};

struct Metrics {
    std::atomic<long> events{0};           // Kubernetes watch events (nodes and pods)
    std::atomic<long> relists{0};          // full relists after 410 / errors
    std::atomic<long> api_errors{0};       // failed Kubernetes API requests (client's count)
    std::atomic<long> api_retries{0};      // retried Kubernetes API requests (429, 5xx, transport)
    std::atomic<long> action_errors{0};    // actions that failed (retried on a later pass)
    std::atomic<long> slurm_errors{0};     // failed libslurm calls
    std::atomic<long> feature_updates{0};
    std::atomic<long> condition_updates{0}, taint_updates{0};
    std::atomic<long> event_writes{0};     // Kubernetes Events recorded
    std::atomic<long> event_drops{0};      // Kubernetes Events dropped (queue full, shutdown)
    std::atomic<long> topology_writes{0};
    std::atomic<long> passes{0};           // reconcile passes
    std::atomic<long> leader{0};           // 1 while this replica acts
    std::atomic<long> kube_nodes{0}, slurm_nodes{0}, mapped_nodes{0};
    LabeledCounter drains;   // by cause: cordoned, not_ready, taint, health_check
    LabeledCounter resumes;  // by cause: kubernetes, return_check
    LabeledCounter return_checks;  // by result: pass, fail, error, aborted
    NodeVerdicts verdicts;
    // From a Kubernetes event's arrival to the end of the reconcile pass that handled it.
    Histogram lag{{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5}};
    // A return-to-service check from its start to its verdict (the gate run through Slurm).
    Histogram return_check_duration{{1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800}};

    std::string render() const;
};

}  // namespace ks::sync
