// The little kubeslurm-topo needs from slurmctld besides node states (src/slurm/nodes.h): where a
// job runs and which nodes its partition has. libslurm's public API only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::topo_cli {

struct JobPlacement {
    uint32_t job_id = 0;
    std::string state;      // "RUNNING", "PENDING", ...
    std::string reason;     // state description (e.g. a pending reason set by a plugin), may be empty
    std::string partition;
    std::string nodes;      // hostlist expression, empty while pending
};

Result<JobPlacement> load_job(uint32_t job_id);

// Nodes of a partition (expanded); empty when the partition is unknown.
Result<std::vector<std::string>> partition_nodes(const std::string& partition);

}  // namespace ks::topo_cli
