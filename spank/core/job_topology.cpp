#include "spank/core/job_topology.h"

#include <algorithm>

namespace ks::spank {
namespace {

struct Spread {
    std::vector<std::string> names;  // distinct groups in order of first appearance
    void add(const std::string& name) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    std::string joined() const {
        std::string out;
        for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
        return out;
    }
};

}  // namespace

GateState job_topology_vars(const topology::Topology& topo, const std::vector<std::string>& job_nodes,
                            std::string_view this_node) {
    using topology::Level;
    Spread domains, leaves;
    for (const auto& name : job_nodes) {
        int64_t i = topo.index_of(name);
        if (i < 0) continue;
        const auto node = static_cast<uint32_t>(i);
        domains.add(topo.groups(Level::Block)[topo.group_of(node, Level::Block)].name);
        leaves.add(topo.groups(Level::Leaf)[topo.group_of(node, Level::Leaf)].name);
    }
    GateState vars;
    if (domains.names.empty()) return vars;
    vars["KUBESLURM_DOMAINS"] = domains.joined();
    vars["KUBESLURM_DOMAIN_COUNT"] = std::to_string(domains.names.size());
    vars["KUBESLURM_LEAVES"] = leaves.joined();
    vars["KUBESLURM_LEAF_COUNT"] = std::to_string(leaves.names.size());
    if (int64_t i = topo.index_of(this_node); i >= 0) {
        const auto node = static_cast<uint32_t>(i);
        vars["KUBESLURM_NODE_DOMAIN"] = topo.groups(Level::Block)[topo.group_of(node, Level::Block)].name;
        vars["KUBESLURM_NODE_LEAF"] = topo.groups(Level::Leaf)[topo.group_of(node, Level::Leaf)].name;
    }
    return vars;
}

}  // namespace ks::spank
