#include "groups.h"

#include <algorithm>
#include <set>

namespace ks::burnin {

std::vector<NodeGroup> multinode_groups(const topology::Topology& topo, const std::vector<std::string>& nodes) {
    const std::set<std::string> swept(nodes.begin(), nodes.end());
    std::vector<NodeGroup> out;
    std::set<std::vector<std::string>> seen;
    for (auto level : {topology::Level::Block, topology::Level::Leaf}) {
        for (const auto& g : topo.groups(level)) {
            // A node without a domain (or leaf) forms a group of its own, named after it.
            NodeGroup ng{level == topology::Level::Block ? "NVLink domain" : "leaf switch", g.name, {}};
            for (auto idx : g.members)
                if (swept.count(topo.nodes()[idx].name)) ng.nodes.push_back(topo.nodes()[idx].name);
            if (ng.nodes.size() < 2 || !seen.insert(ng.nodes).second) continue;
            out.push_back(std::move(ng));
        }
    }
    return out;
}

}  // namespace ks::burnin
