// topology.json (and the Slurm topology file when configured) from the Kubernetes labels, written
// atomically and only when the content changed.
#pragma once

#include <optional>
#include <set>
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

// Moves nodes between blocks and leaves in slurmctld as topology.yaml changes (Slurm 25.05+), so
// that a relabelled node takes its new place without `scontrol reconfigure`
// (topology/live_moves.h). The first write of a run moves nothing: slurmctld read that file at
// its own start or reconfigure.
class LiveTopologyUpdates {
public:
    void written(const topology::Topology& topo, const topology::ConfOptions& conf);
    bool started() const { return m_slurmctld.has_value(); }

private:
    std::optional<topology::Topology> m_slurmctld;  // what slurmctld holds, as far as we know
    std::set<std::string> m_reported_new;           // new blocks already logged
};

// Value: whether any file was (or, with dry_run, would be) rewritten. `live` (may be null) moves
// nodes in slurmctld after a topology.yaml change.
Result<bool> write_topology(std::vector<topology::Node> nodes, const TopologyTargets& targets, bool dry_run,
                            LiveTopologyUpdates* live = nullptr);

}  // namespace ks::sync_daemon
