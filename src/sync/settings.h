// kubeslurm-sync's settings from kubeslurm.conf (the keys of the kubeslurm-sync section).
#pragma once

#include <string>

#include "common/config.h"
#include "common/result.h"
#include "sync/reconcile.h"

namespace ks::sync {

enum class Mapping { Node, Pod };

struct Settings {
    Options options;
    Mapping mapping = Mapping::Node;
    std::string pod_namespace, pod_selector;
    std::string metrics_host;         // "" = no endpoint
    int metrics_port = 0;
    bool leader_election = true;
    std::string lease_namespace, lease_name;
    int lease_duration_s = 15;
    int slurm_poll_ms = 1000;
    int return_check_timeout_s = 600;
    std::string return_check_partition;  // "" = Slurm's default partition

    static Result<Settings> from(const config::Config& cfg);
};

// "host:port" (port 0-65535; "[::1]:9464" for IPv6). Empty text = disabled.
Status parse_listen_address(const std::string& text, std::string& host, int& port);

}  // namespace ks::sync
