// Blocks for topology/block from the NVLink domains, under the rules of each Slurm release line
// (src/plugins/topology/block/block_record.c, block_record_validate()):
//   23.11        every block must hold exactly the first block's node count (else fatal);
//   24.05/24.11  the first BlockSizes value is the base block size, and a block with fewer nodes
//                is fatal ("children count lower than bblock_node_cnt"); larger blocks are fine;
//   25.05+       blocks of any size (a smaller one is a base block with gaps).
// Nodes outside every block only draw a warning from slurmctld ("blocks lack access to N nodes"),
// so a node without a domain is left out rather than made a one-node block, which would shrink
// the planning size to 1 and make every job "fit" anywhere.
#include <algorithm>
#include <map>
#include <set>

#include "common/hostlist.h"
#include "topology/slurm_out.h"

namespace ks::topology::slurm_out {
namespace {

// The size most domains have; on a tie the larger (a domain with a node missing should not
// shrink every block).
uint32_t most_common_size(const std::vector<size_t>& sizes) {
    std::map<size_t, size_t> count;
    for (size_t s : sizes) ++count[s];
    size_t best = 0, best_count = 0;
    for (const auto& [size, n] : count)
        if (n >= best_count) best = size, best_count = n;
    return static_cast<uint32_t>(best);
}

std::string hostlist_of(std::vector<std::string> names) { return hostlist::compress(names); }

}  // namespace

Result<BlockLayout> block_layout(const Topology& topo, SlurmVersion slurm, uint32_t block_size) {
    if (!slurm.at_least(23, 11))
        return Error{"topology/block needs Slurm 23.11 or later (Slurm " + slurm.str() + ")"};
    const bool exact = !slurm.at_least(24, 5);      // 23.11: blocks of exactly the base size
    const bool at_least = !slurm.at_least(25, 5);   // 24.x: blocks of at least the base size

    struct Domain {
        std::string id;
        std::vector<std::string> nodes;
    };
    std::vector<Domain> domains;
    std::vector<std::string> bare;
    for (const auto& g : topo.blocks()) {
        const Node& first = topo.nodes()[g.members.front()];
        if (first.domain.empty()) {
            bare.push_back(first.name);
            continue;
        }
        Domain d{first.domain, {}};
        for (uint32_t i : g.members) d.nodes.push_back(topo.nodes()[i].name);
        domains.push_back(std::move(d));
    }

    BlockLayout out;
    if (domains.empty()) return Error{"no node has an NVLink domain: no block to write"};
    std::vector<size_t> sizes;
    for (const auto& d : domains) sizes.push_back(d.nodes.size());
    out.size = block_size ? block_size : most_common_size(sizes);

    std::set<std::string> used;
    auto unique_name = [&](const std::string& base) {
        std::string n = safe_name(base);
        for (int i = 2; !used.insert(n).second; ++i) n = safe_name(base + "-" + std::to_string(i));
        return n;
    };
    const std::string size_text = std::to_string(out.size);
    for (const auto& d : domains) {
        const size_t n = d.nodes.size();
        if ((exact || at_least) && n < out.size) {
            out.warnings.push_back("NVLink domain " + yaml_quoted(d.id) + " has " + std::to_string(n) +
                                   " nodes, fewer than the block size " + size_text + " that Slurm " +
                                   slurm.str() + " requires: " + hostlist_of(d.nodes) + " left out of the blocks");
            continue;
        }
        if (!exact) {
            out.blocks.push_back({unique_name(d.id), d.nodes});
            continue;
        }
        // 23.11: split into blocks of exactly the base size; each piece is still one NVLink domain.
        const size_t pieces = n / out.size;
        for (size_t p = 0; p < pieces; ++p) {
            std::vector<std::string> part(d.nodes.begin() + p * out.size, d.nodes.begin() + (p + 1) * out.size);
            out.blocks.push_back({unique_name(pieces > 1 ? d.id + "-" + std::to_string(p + 1) : d.id), part});
        }
        if (n % out.size) {
            std::vector<std::string> rest(d.nodes.begin() + pieces * out.size, d.nodes.end());
            out.warnings.push_back("NVLink domain " + yaml_quoted(d.id) + " has " + std::to_string(n) +
                                   " nodes, not a multiple of the block size " + size_text +
                                   " that Slurm 23.11 requires of every block: " + hostlist_of(rest) +
                                   " left out of the blocks");
        }
    }
    if (!bare.empty())
        out.warnings.push_back(std::to_string(bare.size()) + " node(s) without an NVLink domain are in no block: " +
                               hostlist_of(bare));
    if (out.blocks.empty())
        return Error{"no NVLink domain has the " + size_text + " nodes of a block: no block to write"};
    return out;
}

}  // namespace ks::topology::slurm_out
