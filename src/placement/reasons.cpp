// Figures and words about placements: minimum span, pending reasons, what a node set spans.
#include <algorithm>

#include "placement/placement.h"

namespace ks::placement {
namespace {

using topology::Level;

// Usable nodes per group at `level` (all nodes when usable is nullptr).
std::vector<uint32_t> usable_per_group(const topology::Topology& topo, const std::vector<bool>* usable,
                                       Level level) {
    std::vector<uint32_t> count(topo.groups(level).size(), 0);
    for (uint32_t i = 0; i < topo.size(); ++i)
        if (!usable || (i < usable->size() && (*usable)[i])) ++count[topo.group_of(i, level)];
    return count;
}

std::vector<std::string> names_of(const topology::Topology& topo, Level level, std::vector<uint32_t> groups) {
    std::sort(groups.begin(), groups.end());
    groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
    std::vector<std::string> names;
    for (uint32_t g : groups) names.push_back(topo.groups(level)[g].name);
    return names;
}

}  // namespace

std::optional<uint32_t> minimum_domains(const topology::Topology& topo, const std::vector<bool>* usable,
                                        uint32_t nodes) {
    if (nodes == 0) return 0u;
    std::vector<uint32_t> sizes = usable_per_group(topo, usable, Level::Block);
    std::sort(sizes.begin(), sizes.end(), std::greater<>());
    uint64_t sum = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
        sum += sizes[i];
        if (sum >= nodes) return static_cast<uint32_t>(i + 1);
    }
    return std::nullopt;
}

std::string pending_reason(const topology::Topology& topo, const std::vector<bool>& available,
                           const Request& request) {
    if (!is_strict(request.policy)) return {};
    if (!candidates(topo, available, request, 1).empty()) return {};
    const Level level = request.policy == Policy::Block ? Level::Block : Level::Leaf;
    const uint32_t need = std::max<uint32_t>(1, request.min_nodes);
    std::vector<uint32_t> sizes = usable_per_group(topo, request.usable, level);
    uint32_t largest = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
    std::string what(topology::level_name(level));
    if (largest < need)
        return "kubeslurm: no " + what + " has " + std::to_string(need) + " usable nodes (largest " +
               std::to_string(largest) + ")";
    return "kubeslurm: waiting for one " + what + " with " + std::to_string(need) + " free nodes";
}

Span span_of(const topology::Topology& topo, const std::vector<std::string>& node_names) {
    Span span;
    std::vector<uint32_t> blocks, leaves;
    for (const auto& name : node_names) {
        int64_t i = topo.index_of(name);
        if (i < 0) {
            span.unknown.push_back(name);
            continue;
        }
        blocks.push_back(topo.block_of(static_cast<uint32_t>(i)));
        leaves.push_back(topo.group_of(static_cast<uint32_t>(i), Level::Leaf));
    }
    span.domains = names_of(topo, Level::Block, std::move(blocks));
    span.leaves = names_of(topo, Level::Leaf, std::move(leaves));
    return span;
}

}  // namespace ks::placement
