// Internals of the Slurm topology writers (to_slurm_topology): the layouts each form is written
// from, the name rules, and one writer per form. Declared here for the unit tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topology/topology.h"

namespace ks::topology::slurm_out {

// ---- names -------------------------------------------------------------------------------------
// Slurm parses these files with its Key=Value and hostlist parsers (whitespace, '=', '#', ',',
// '[', ']' and quotes are syntax; block names are joined with ',' and re-parsed as a hostlist for
// aggregated blocks), and topology.yaml limits switch names to 64 characters.
inline constexpr size_t kMaxNameLength = 64;

bool is_safe_name(std::string_view name);         // non-empty, [A-Za-z0-9._-], <= 64 characters
std::string safe_name(std::string_view raw);      // other characters -> '_', long -> prefix + hash
std::string yaml_quoted(std::string_view value);  // a double-quoted YAML scalar

// ---- layouts -----------------------------------------------------------------------------------

struct Switch {
    std::string name;
    std::vector<std::string> nodes;     // natural order
    std::vector<std::string> children;  // switch names, natural order
};

// Bottom-up (a switch after its children), one root at the end when there is more than one top.
std::vector<Switch> switch_tree(const Topology& topo);

struct Block {
    std::string name;
    std::vector<std::string> nodes;  // natural order
};

struct BlockLayout {
    uint32_t size = 0;                // planning (base) block size
    std::vector<Block> blocks;
    std::vector<std::string> warnings;
};

// Blocks from the NVLink domains under the rules of `slurm` (see to_slurm_topology). An error
// when no block is left.
Result<BlockLayout> block_layout(const Topology& topo, SlurmVersion slurm, uint32_t block_size);

// ---- writers: one per form ---------------------------------------------------------------------

std::string header(const Topology& topo, std::string_view what);
std::string tree_conf(const Topology& topo, const std::vector<Switch>& tree);
std::string block_conf(const Topology& topo, const BlockLayout& layout, SlurmVersion slurm);
// `layout` null: no block topology (no NVLink domain qualifies); the tree is then the default.
std::string topology_yaml(const Topology& topo, const std::vector<Switch>& tree, const BlockLayout* layout);

}  // namespace ks::topology::slurm_out
