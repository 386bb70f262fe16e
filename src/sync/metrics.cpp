#include "sync/metrics.h"

#include <sstream>

namespace ks::sync {
namespace {

void header(std::ostringstream& os, const std::string& name, const char* type, const std::string& help) {
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
}

void series(std::ostringstream& os, const char* name, const char* type, const char* help, long value) {
    header(os, name, type, help);
    os << name << ' ' << value << '\n';
}

// A label value as the exposition format quotes it.
std::string quoted(const std::string& v) {
    std::string out = "\"";
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    }
    return out + '"';
}

}  // namespace

Histogram::Histogram(std::vector<double> bounds) : m_bounds(std::move(bounds)), m_buckets(m_bounds.size()) {}

void Histogram::observe(double seconds) {
    for (size_t i = 0; i < m_bounds.size(); ++i)
        if (seconds <= m_bounds[i]) m_buckets[i].fetch_add(1, std::memory_order_relaxed);
    m_count.fetch_add(1, std::memory_order_relaxed);
    m_sum_us.fetch_add(static_cast<long long>(seconds * 1e6), std::memory_order_relaxed);
}

std::string Histogram::render(const std::string& name, const std::string& help) const {
    std::ostringstream os;
    header(os, name, "histogram", help);
    for (size_t i = 0; i < m_bounds.size(); ++i)
        os << name << "_bucket{le=\"" << m_bounds[i] << "\"} " << m_buckets[i].load() << '\n';
    os << name << "_bucket{le=\"+Inf\"} " << m_count.load() << '\n'
       << name << "_sum " << static_cast<double>(m_sum_us.load()) / 1e6 << '\n'
       << name << "_count " << m_count.load() << '\n';
    return os.str();
}

void LabeledCounter::add(const std::string& value, long n) {
    std::lock_guard lock(m_mu);
    m_counts[value] += n;
}

long LabeledCounter::get(const std::string& value) const {
    std::lock_guard lock(m_mu);
    auto it = m_counts.find(value);
    return it == m_counts.end() ? 0 : it->second;
}

std::string LabeledCounter::render(const std::string& name, const std::string& label, const std::string& help) const {
    std::ostringstream os;
    header(os, name, "counter", help);
    std::lock_guard lock(m_mu);
    for (const auto& [value, n] : m_counts) os << name << '{' << label << '=' << quoted(value) << "} " << n << '\n';
    return os.str();
}

void NodeVerdicts::set(const std::string& node, const std::string& verdict, const std::string& check,
                       const std::optional<Figure>& figure, double unix_time) {
    std::lock_guard lock(m_mu);
    m_nodes[node] = Last{verdict, check, figure, unix_time};
}

std::string NodeVerdicts::render() const {
    std::ostringstream os, when, value, threshold;
    header(os, "kubeslurm_sync_node_verdict", "gauge",
           "Last health verdict per Slurm node (1 for the current one of pass, fail, error).");
    header(when, "kubeslurm_sync_node_verdict_timestamp_seconds", "gauge",
           "When the node's last health verdict was reached (Unix time).");
    header(value, "kubeslurm_sync_node_check_value", "gauge",
           "The figure of the check that decided the node's last verdict, in the check's unit.");
    header(threshold, "kubeslurm_sync_node_check_threshold", "gauge",
           "The threshold that figure was held against, in the check's unit.");
    std::lock_guard lock(m_mu);
    for (const auto& [node, last] : m_nodes) {
        const std::string n = "node=" + quoted(node);
        for (const char* v : kVerdicts)
            os << "kubeslurm_sync_node_verdict{" << n << ",verdict=\"" << v << "\"} " << (last.verdict == v) << '\n';
        when << "kubeslurm_sync_node_verdict_timestamp_seconds{" << n << "} " << std::fixed << last.time << '\n';
        if (!last.figure) continue;
        const std::string labels = n + ",check=" + quoted(last.check) + ",unit=" + quoted(last.figure->unit);
        value << "kubeslurm_sync_node_check_value{" << labels << "} " << last.figure->value << '\n';
        threshold << "kubeslurm_sync_node_check_threshold{" << labels << "} " << last.figure->threshold << '\n';
    }
    return os.str() + when.str() + value.str() + threshold.str();
}

std::string Metrics::render() const {
    std::ostringstream os;
    series(os, "kubeslurm_sync_events_total", "counter", "Kubernetes watch events handled.", events);
    series(os, "kubeslurm_sync_relists_total", "counter", "Full relists (410 Gone, errors).", relists);
    series(os, "kubeslurm_sync_api_errors_total", "counter", "Failed Kubernetes API calls.", api_errors);
    series(os, "kubeslurm_sync_api_retries_total", "counter", "Retried Kubernetes API requests.", api_retries);
    series(os, "kubeslurm_sync_action_errors_total", "counter", "Failed actions (retried later).", action_errors);
    series(os, "kubeslurm_sync_slurm_errors_total", "counter", "Failed Slurm API calls.", slurm_errors);
    os << drains.render("kubeslurm_sync_drains_total", "cause",
                        "Slurm node drains by cause: the Kubernetes causes kubeslurm-sync drained for "
                        "(cordoned, not_ready, taint) and the health gate's drains it saw (health_check).");
    os << resumes.render("kubeslurm_sync_resumes_total", "cause",
                         "Slurm nodes resumed by kubeslurm-sync, by cause (kubernetes, return_check).");
    os << return_checks.render("kubeslurm_sync_return_checks_total", "result",
                               "Return-to-service checks by result (pass, fail, error, aborted).");
    series(os, "kubeslurm_sync_feature_updates_total", "counter", "Slurm node feature updates.", feature_updates);
    series(os, "kubeslurm_sync_condition_updates_total", "counter", "Kubernetes health condition updates.",
           condition_updates);
    series(os, "kubeslurm_sync_taint_updates_total", "counter", "Kubernetes unhealthy taint updates.", taint_updates);
    series(os, "kubeslurm_sync_kube_events_total", "counter", "Kubernetes Events recorded on nodes.", event_writes);
    series(os, "kubeslurm_sync_kube_events_dropped_total", "counter",
           "Kubernetes Events not recorded (queue full or shutdown).", event_drops);
    series(os, "kubeslurm_sync_topology_writes_total", "counter", "topology.json rewrites (content changed).",
           topology_writes);
    series(os, "kubeslurm_sync_reconcile_passes_total", "counter", "Reconcile passes.", passes);
    series(os, "kubeslurm_sync_leader", "gauge", "1 while this replica holds the lease and acts.", leader);
    series(os, "kubeslurm_sync_kube_nodes", "gauge", "Kubernetes nodes in the cache.", kube_nodes);
    series(os, "kubeslurm_sync_slurm_nodes", "gauge", "Slurm nodes known.", slurm_nodes);
    series(os, "kubeslurm_sync_mapped_nodes", "gauge", "Slurm nodes mapped to a Kubernetes node.", mapped_nodes);
    os << verdicts.render();
    os << lag.render("kubeslurm_sync_event_lag_seconds",
                     "From a Kubernetes event's arrival to the end of the pass that handled it.");
    os << return_check_duration.render("kubeslurm_sync_return_check_duration_seconds",
                                       "Return-to-service checks from their start to their verdict.");
    return os.str();
}

}  // namespace ks::sync
