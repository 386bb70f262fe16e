// The few Slurm facts and actions the sweep needs, through Slurm's own commands (argv, no
// shell): the nodes of a partition, node states and GPUs, and draining a node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::burnin {

struct SlurmNode {
    std::string name;
    std::string state;  // e.g. "IDLE", "MIXED", "IDLE+DRAIN"
    int gpus = 0;       // count of gpu GRES (any type)
};

// "gpu:8", "gpu:h100:8(S:0-1)", "gpu:a100:4,gpu:t4:1" -> 8, 8, 5.
int gpu_count_of_gres(const std::string& gres);

// Parses `scontrol -o show node` output.
std::map<std::string, SlurmNode> parse_show_nodes(const std::string& text);

// Whether a node in this state can start a job now or soon (not DOWN, DRAIN, FAIL...).
bool schedulable(const std::string& state);

Result<std::vector<std::string>> partition_nodes(const std::string& partition);
Result<std::map<std::string, SlurmNode>> show_nodes();
Status drain_node(const std::string& node, const std::string& reason);

// Slurm node names are plain words; anything else never reaches a command line.
bool valid_node_name(const std::string& name);

}  // namespace ks::burnin
