#include "sync/settings.h"

#include "common/strings.h"

namespace ks::sync {

Status parse_listen_address(const std::string& text, std::string& host, int& port) {
    host.clear();
    port = 0;
    if (text.empty()) return {};
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0)
        return Error{"MetricsAddress: '" + text + "' is not host:port"};
    host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    auto p = str::to_long(std::string_view(text).substr(colon + 1));
    if (!p || *p < 0 || *p > 65535) return Error{"MetricsAddress: '" + text + "' has no valid port"};
    port = static_cast<int>(*p);
    return {};
}

Result<Settings> Settings::from(const config::Config& cfg) {
    Settings s;
    s.options.drain_taints = cfg.list("DrainTaints");
    s.options.gpu_features = cfg.flag("GpuFeatures");
    s.options.condition_type = cfg.str("HealthConditionType");
    s.options.unhealthy_taint_key = cfg.str("UnhealthyTaintKey");
    if (s.options.condition_type.empty()) return Error{"HealthConditionType must not be empty"};
    if (s.options.unhealthy_taint_key.empty()) return Error{"UnhealthyTaintKey must not be empty"};
    s.mapping = cfg.str("NodeMapping") == "pod" ? Mapping::Pod : Mapping::Node;
    s.pod_namespace = cfg.str("PodNamespace");
    s.pod_selector = cfg.str("PodLabelSelector");
    if (s.mapping == Mapping::Pod && s.pod_namespace.empty())
        return Error{"NodeMapping=pod needs PodNamespace"};
    if (auto st = parse_listen_address(cfg.str("MetricsAddress"), s.metrics_host, s.metrics_port); !st)
        return Error{st.error()};
    s.leader_election = cfg.flag("LeaderElection");
    s.lease_namespace = cfg.str("LeaseNamespace");
    s.lease_name = cfg.str("LeaseName");
    s.lease_duration_s = static_cast<int>(cfg.integer("LeaseDuration"));
    s.slurm_poll_ms = static_cast<int>(cfg.integer("SlurmPollInterval"));
    const std::string level = cfg.str("ReturnCheckLevel");
    s.options.return_check_level = level == "off" ? "" : level;
    s.return_check_timeout_s = static_cast<int>(cfg.integer("ReturnCheckTimeout"));
    s.return_check_partition = cfg.str("ReturnCheckPartition");
    return s;
}

}  // namespace ks::sync
