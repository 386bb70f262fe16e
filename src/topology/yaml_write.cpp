// topology.yaml (Slurm 25.05+, doc/man/man5/topology.yaml.5 and the TOPOLOGY_CONF parser of
// data_parser v0.0.43): a list of topologies, each `topology: NAME` first, `cluster_default`, and
// one of `block: {block_sizes: [..], blocks: [{block, nodes}]}` or
// `tree: {switches: [{switch, children | nodes}]}`. Partitions pick one with Topology=NAME.
// Every string is a double-quoted scalar: a name can neither end the line nor become a number.
#include "common/hostlist.h"
#include "topology/slurm_out.h"

namespace ks::topology::slurm_out {

std::string topology_yaml(const Topology& topo, const std::vector<Switch>& tree, const BlockLayout* layout) {
    // The block topology is the cluster default when there is one: partitions without Topology=
    // then get NVLink-domain placement, which is what kubeslurm is for. Partitions holding nodes
    // without a domain (which no block holds) should say Topology=tree.
    std::string out = header(topo, "topology.yaml");
    out += "# Partitions choose with Topology=" + std::string(kYamlBlockTopology) + " or Topology=" +
           std::string(kYamlTreeTopology) + "; the first listed is the cluster default.\n";
    if (layout) {
        out += "- topology: " + yaml_quoted(kYamlBlockTopology) + "\n";
        out += "  cluster_default: true\n";
        out += "  block:\n";
        out += "    block_sizes:\n";
        out += "      - " + std::to_string(layout->size) + "\n";
        out += "    blocks:\n";
        for (const auto& b : layout->blocks) {
            out += "      - block: " + yaml_quoted(b.name) + "\n";
            out += "        nodes: " + yaml_quoted(hostlist::compress(b.nodes)) + "\n";
        }
    }
    out += "- topology: " + yaml_quoted(kYamlTreeTopology) + "\n";
    out += std::string("  cluster_default: ") + (layout ? "false" : "true") + "\n";
    out += "  tree:\n";
    out += "    switches:\n";
    for (const auto& s : tree) {
        out += "      - switch: " + yaml_quoted(s.name) + "\n";
        if (!s.nodes.empty()) out += "        nodes: " + yaml_quoted(hostlist::compress(s.nodes)) + "\n";
        if (!s.children.empty()) out += "        children: " + yaml_quoted(hostlist::compress(s.children)) + "\n";
    }
    return out;
}

}  // namespace ks::topology::slurm_out
