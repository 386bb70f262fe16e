// Text views of a topology for people: the tree of switches and domains with node counts.
#pragma once

#include <string>
#include <vector>

#include "topology/topology.h"

namespace ks::topology {

// What Slurm says about a node, reduced to what the tree counts.
enum class NodeUse { Free, Allocated, Drained, Unknown };

// An indented tree core > spine > leaf > NVLink domain, one row per group with its node count,
// and, when `use` is given (indexed like topo.nodes()), free / allocated / drained counts.
// Levels a node does not have are skipped; nodes without a domain are listed together under
// their switch. Example row:
//   "    domain d0       n[1-18]        18    16     2     0"
std::string render_tree(const Topology& topo, const std::vector<NodeUse>* use);

}  // namespace ks::topology
