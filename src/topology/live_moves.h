// Moving nodes between blocks in a running slurmctld (Slurm 25.05 and later) without `scontrol
// reconfigure`: the node update's topology field, as `scontrol update NodeName=n1
// Topology=block:rack7,tree:spine1:leaf2` sends it (TOPOLOGY:UNIT per topology of topology.yaml;
// a tree's unit is its switches from the root to the leaf). The field names every topology the
// node is in: slurmctld takes the node out of any it does not name. slurmctld accepts only blocks
// it already has (tree switches it creates): a node whose new block is new to it keeps its place
// until slurmctld reads topology.yaml again.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "topology/topology.h"

namespace ks::topology {

struct NodeMove {
    std::string node;
    std::string topology;  // "block:NAME,tree:ROOT:...:LEAF"; "" = in no topology
    bool operator==(const NodeMove&) const = default;
};

struct LiveMoves {
    std::vector<NodeMove> moves;         // node order of `next`
    std::vector<std::string> new_blocks;  // blocks of `next` that `loaded` lacks, sorted
};

// The node updates from the topology slurmctld has (`loaded`) to `next`, both laid out the way
// the topology file for `options` is written: one for each node whose block or leaf changed. Nodes absent from `next` are left alone
// (gone from Kubernetes is not leaving a block). An error for a Slurm without live topology.
Result<LiveMoves> live_block_moves(const Topology& loaded, const Topology& next, const ConfOptions& options);

}  // namespace ks::topology
