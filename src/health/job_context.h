// Who and where the checker runs: job ID, this node, the job's nodes (rank = position in the
// node list) and the allocated GPUs, read from the environment Slurm gives the prolog or a step.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::health {

struct JobContext {
    std::optional<long> job_id;
    std::string node;                // this node's Slurm name
    std::vector<std::string> nodes;  // the job's nodes in SLURM_JOB_NODELIST order
    int rank = 0;                    // index of `node` in `nodes`
    std::vector<int> devices;        // physical GPU indices; empty = unknown (all visible)

    bool multi_node() const { return nodes.size() > 1; }
};

using EnvLookup = std::function<const char*(const char*)>;

// prolog: the job's nodes from SLURM_JOB_NODELIST; otherwise (an srun step) SLURM_STEP_NODELIST
// first. `node_override` replaces SLURMD_NODENAME (--node).
Result<JobContext> job_context_from_env(bool prolog, const std::string& node_override, const EnvLookup& env);

// "0,2,3" -> {0,2,3}; error on anything that is not a list of indices.
Result<std::vector<int>> parse_device_list(const std::string& text);

}  // namespace ks::health
