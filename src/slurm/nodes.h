// Thin wrappers over libslurm's public node API (slurm.h): read node state, drain, resume and
// set features. Errors are values carrying Slurm's own error text; nothing throws.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::slurm {

struct NodeState {
    std::string name;
    bool drain = false;  // DRAIN flag set (draining or drained)
    bool down = false;   // base state DOWN
    std::string state;   // Slurm's state text, e.g. "IDLE+DRAIN"
    std::string reason;  // drain/down reason, empty when none
    std::vector<std::string> features;  // available features
};

// Initialises libslurm once per process (reads SLURM_CONF or the default slurm.conf).
void init();

// Loads every node. With `since` > 0, returns std::nullopt when nothing changed since that
// update time (a cheap RPC); `update_time` receives the controller's time of this snapshot.
Result<std::optional<std::vector<NodeState>>> load_nodes(std::time_t since, std::time_t& update_time);

// DRAIN `nodes` (a hostlist expression) with `reason`.
Status drain(const std::string& nodes, const std::string& reason);
// RESUME `nodes`.
Status resume(const std::string& nodes);
// Move `nodes` in slurmctld's topologies (Slurm 25.05+): `topology` as scontrol's Topology=
// ("block:b1,tree:s1:l1"; "" = in none). An error on an older Slurm.
Status set_topology(const std::string& nodes, const std::string& topology);
// Replace the available (and active) features of `nodes` (a hostlist expression).
Status set_features(const std::string& nodes, const std::vector<std::string>& features);

}  // namespace ks::slurm
