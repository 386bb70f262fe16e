// topology.json (and the Slurm topology file when configured) from the Kubernetes labels, written
// atomically and only when the content changed.
#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "common/result.h"
#include "topology/topology.h"

namespace ks::sync_daemon {

struct TopologyTargets {
    std::string json_file;       // "" = none
    topology::ConfOptions conf;  // conf.path "" = no Slurm topology file

    // TopologyFile and the TopologyConf* keys; the Slurm version defaults to the one this binary
    // was built for. A form that the version lacks is an error here, before anything runs.
    static Result<TopologyTargets> from_config(const config::Config& cfg);
};

// The Slurm release line of the libslurm this binary was built for (SLURM_VERSION_NUMBER).
topology::SlurmVersion built_slurm_version();

// Value: whether any file was (or, with dry_run, would be) rewritten.
Result<bool> write_topology(std::vector<topology::Node> nodes, const TopologyTargets& targets, bool dry_run);

}  // namespace ks::sync_daemon
