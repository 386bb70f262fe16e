// The sweep: one exclusive single-node job per node running the checker, then multi-node runs
// per NVLink domain and per leaf switch; job output is kept under <output>/raw/.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "groups.h"
#include "slurm_cli.h"
#include "sweep_result.h"

namespace ks::burnin {

struct SweepPlan {
    std::vector<std::string> nodes;             // schedulable nodes to sweep
    std::map<std::string, SlurmNode> info;      // Slurm's view (GPU count) of those nodes
    std::vector<NodeGroup> groups;              // candidate multi-node groups (filtered by results)
    std::string checker;
    std::string config;                         // passed to the checker when set
    std::string level = "burnin";
    double duration_s = 1800;
    std::string partition;
    std::string reservation;
    std::string raw_dir;                        // job output files
    int parallel = 64;
};

using ProgressFn = std::function<void(const std::string& line)>;

// argv of the single-node job of `node` (exposed for tests).
std::vector<std::string> node_job_argv(const SweepPlan& plan, const std::string& node);
std::vector<std::string> group_job_argv(const SweepPlan& plan, const NodeGroup& group);

// Minutes of Slurm time limit for one job: the burn-in duration plus start-up and slack.
int job_minutes(const SweepPlan& plan);

void run_node_jobs(const SweepPlan& plan, SweepResult& out, const ProgressFn& progress);
void run_group_jobs(const SweepPlan& plan, SweepResult& out, const ProgressFn& progress);

// The worst status of a set of outcomes (fail > timeout > error > pass > skip).
std::string worst_status(const std::vector<std::string>& statuses);

}  // namespace ks::burnin
