// The job's place in the cluster topology, as KUBESLURM_* variables for its tasks: which NVLink
// domains and leaf switches its nodes span, and this node's own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spank/core/gate_state.h"
#include "topology/topology.h"

namespace ks::spank {

// Empty when none of the job's nodes is in the topology. Nodes without a domain or leaf count as
// their own group (as the placement does).
GateState job_topology_vars(const topology::Topology& topo, const std::vector<std::string>& job_nodes,
                            std::string_view this_node);

}  // namespace ks::spank
