// Multi-node NCCL groups of a sweep from topology.json: the swept nodes of each NVLink domain and
// of each leaf switch, two nodes or more, each set once.
#pragma once

#include <string>
#include <vector>

#include "topology/topology.h"

namespace ks::burnin {

struct NodeGroup {
    std::string kind;  // "NVLink domain" / "leaf switch"
    std::string name;
    std::vector<std::string> nodes;
};

std::vector<NodeGroup> multinode_groups(const topology::Topology& topo, const std::vector<std::string>& nodes);

}  // namespace ks::burnin
