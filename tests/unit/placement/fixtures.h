// Topologies and availability sets for placement tests.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "topology/topology.h"

namespace fixtures {

struct DomainSpec {
    uint32_t size;
    std::string leaf;   // "" = no tiers
    std::string spine = "";
};

// Domains d0, d1, ... of the given sizes; nodes n1, n2, ... numbered in domain order.
inline ks::topology::Topology make(const std::vector<DomainSpec>& domains) {
    std::vector<ks::topology::Node> nodes;
    uint32_t next = 1;
    for (size_t d = 0; d < domains.size(); ++d) {
        for (uint32_t i = 0; i < domains[d].size; ++i) {
            ks::topology::Node n{"n" + std::to_string(next++), "d" + std::to_string(d), {}};
            if (!domains[d].leaf.empty()) n.tiers.push_back(domains[d].leaf);
            if (!domains[d].spine.empty()) n.tiers.push_back(domains[d].spine);
            nodes.push_back(std::move(n));
        }
    }
    return ks::topology::Topology::build(std::move(nodes)).value();
}

inline std::vector<bool> all(const ks::topology::Topology& t) { return std::vector<bool>(t.size(), true); }

// Marks `count` nodes of domain `block` busy (lowest indices first).
inline void occupy(const ks::topology::Topology& t, std::vector<bool>& avail, uint32_t block, uint32_t count) {
    for (uint32_t i : t.blocks()[block].members) {
        if (count == 0) break;
        if (avail[i]) {
            avail[i] = false;
            --count;
        }
    }
}

// A random topology: 1-4 spines, leaves under them, domains of 1-18 nodes under leaves, and some
// nodes without any topology.
inline ks::topology::Topology random_topology(std::mt19937& rng, uint32_t max_nodes) {
    std::vector<ks::topology::Node> nodes;
    std::uniform_int_distribution<uint32_t> size(1, 18), leaves(1, 4), coin(0, 9);
    uint32_t spines = leaves(rng), next = 1, domain = 0;
    while (next <= max_nodes) {
        std::string spine = "s" + std::to_string(rng() % spines);
        std::string leaf = spine + "-l" + std::to_string(rng() % 3);
        uint32_t sz = size(rng);
        bool bare = coin(rng) == 0;
        for (uint32_t i = 0; i < sz && next <= max_nodes; ++i) {
            ks::topology::Node n{"n" + std::to_string(next++), bare ? "" : "d" + std::to_string(domain), {}};
            if (!bare) n.tiers = {leaf, spine};
            nodes.push_back(std::move(n));
        }
        ++domain;
    }
    return ks::topology::Topology::build(std::move(nodes)).value();
}

}  // namespace fixtures
