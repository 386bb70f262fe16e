// Cluster topology model: node -> accelerator (NVLink) domain -> tier-0 (leaf switch) ->
// tier-1 (spine) -> tier-2 (core). Any level may be missing; a node without a domain is its own
// block. Pure C++ (no Slurm types): used by select/cons_tres_topo inside slurmctld, by
// kubeslurm-sync (labels -> topology.json) and by kubeslurm-topo.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.h"

namespace ks::config {
class Config;
}

namespace ks::topology {

inline constexpr int kJsonVersion = 1;  // "version" of topology.json this code reads and writes
inline constexpr int kMaxTiers = 3;     // leaf, spine, core; deeper tiers are dropped on input

// Node names and domain/switch IDs, from Kubernetes or a file: 1 to kMaxIdLength bytes of
// printable ASCII without spaces. Anything else (control characters, NUL, newlines, spaces,
// non-ASCII) is refused at the boundary; writers make the rest safe for their own grammar.
inline constexpr size_t kMaxIdLength = 256;
bool is_valid_id(std::string_view id);
struct Node;
Status check_ids(const Node& node);  // the error quotes the bad value, capped and escaped

struct Node {
    std::string name;                // Slurm node name
    std::string domain;              // accelerator/NVLink domain ID (opaque); empty = none
    std::vector<std::string> tiers;  // [0] leaf switch, [1] spine, [2] core; "" = unknown level
    bool operator==(const Node&) const = default;
};

// Grouping levels, closest first. A node that lacks a level inherits the group of the level below
// it (a node without a domain is its own block; a block without a leaf is its own leaf group...),
// so every node belongs to exactly one group at every level.
enum class Level : int { Block = 0, Leaf = 1, Spine = 2, Core = 3 };
inline constexpr int kLevels = 4;
std::string_view level_name(Level level);  // "NVLink domain", "leaf switch", "spine", "core"

struct Group {
    std::string name;                // domain / switch ID; a singleton block is named after its node
    std::vector<uint32_t> members;   // node indices, ascending
};

class Topology {
public:
    Topology() = default;

    // Validates and indexes nodes: names must be non-empty and unique; trailing empty tiers are
    // dropped, more than kMaxTiers tiers is an error. Nodes are kept in natural name order
    // (n2 < n10) so that equal content gives equal files whatever the input order.
    static Result<Topology> build(std::vector<Node> nodes);

    const std::vector<Node>& nodes() const { return m_nodes; }
    size_t size() const { return m_nodes.size(); }
    bool empty() const { return m_nodes.empty(); }

    // O(1) lookup; -1 when the name is unknown.
    int64_t index_of(std::string_view name) const;
    const Node* find(std::string_view name) const;

    // Groups at each level (see Level), in order of their first member.
    const std::vector<Group>& groups(Level level) const { return m_groups[static_cast<int>(level)]; }
    uint32_t group_of(uint32_t node, Level level) const {
        return m_group_of[static_cast<int>(level)][node];
    }
    const std::vector<Group>& blocks() const { return groups(Level::Block); }
    uint32_t block_of(uint32_t node) const { return group_of(node, Level::Block); }
    // Group of a block at a higher level (the group of the block's first member).
    uint32_t block_parent(uint32_t block, Level level) const;

    bool has_domains() const;  // any node carries a domain
    bool has_tiers() const;    // any node carries a tier

    // Content hash (16 hex digits, FNV-1a 64 over the canonical node list): equal for equal
    // topologies, stored in topology.json.
    const std::string& hash() const { return m_hash; }

    bool operator==(const Topology& other) const { return m_nodes == other.m_nodes; }

private:
    std::vector<Node> m_nodes;
    std::unordered_map<std::string, uint32_t> m_index;
    std::vector<Group> m_groups[kLevels];
    std::vector<uint32_t> m_group_of[kLevels];
    std::string m_hash;
};

// ---- topology.json ---------------------------------------------------------------------------
// {"version": 1, "hash": "…", "nodes": [{"name": "n1", "domain": "d1", "tiers": ["leaf1", …]}]}
// "domain" and "tiers" are optional. Readers reject unknown versions, duplicate nodes, bad types,
// names and IDs that fail check_ids, and unknown fields in nodes with a message naming the origin
// and the node.

std::string to_json(const Topology& topo);
Result<Topology> from_json(std::string_view text, const std::string& origin);
Result<Topology> load_json_file(const std::string& path);

// Writes `content` to `path` atomically (temp file in the same directory + fsync + rename + fsync
// of the directory), only when `path` is a regular file or absent: a symbolic link, device, FIFO
// or directory there is an error. When the file already holds exactly `content` it is left alone
// and the result is false; true when the file was written.
Result<bool> write_file_atomic(const std::string& path, std::string_view content);
// to_json + write_file_atomic: unchanged content is not rewritten (result false).
Result<bool> write_json_atomic(const Topology& topo, const std::string& path);

// ---- Kubernetes node labels ------------------------------------------------------------------
// Presets (DESIGN.md): gfd, topograph, topograph-legacy, coreweave, aws, gcp, nebius, slinky
// (annotation), custom (LabelDomainKey / LabelTierKeys); "auto" = all of them in that order.
// The domain comes from the first preset that yields one, the tiers from the first preset that
// yields any tier (so GFD cliques combine with another preset's switches). Values are opaque IDs.

struct LabelOptions {
    std::vector<std::string> presets{"auto"};
    std::string domain_key;               // custom preset
    std::vector<std::string> tier_keys;   // custom preset, leaf first

    // From LabelPreset, LabelDomainKey, LabelTierKeys; unknown presets are errors.
    static Result<LabelOptions> from_config(const config::Config& cfg);
    Status validate() const;
};

const std::vector<std::string_view>& preset_names();  // without "auto" and "custom"

using StringMap = std::map<std::string, std::string, std::less<>>;

// One node from its labels and annotations. A value that is not a valid ID (is_valid_id) counts as
// absent, so that no annotation can smuggle a line or a key into a file written from it.
Node node_from_labels(std::string name, const StringMap& labels, const StringMap& annotations,
                      const LabelOptions& options);

// From a Kubernetes NodeList / List (`kubectl get nodes -o json`) or a single Node object. Every
// node is included; nodes without topology labels become their own blocks.
Result<Topology> from_node_labels(std::string_view json_text, const LabelOptions& options);

// ---- Slurm topology.conf / topology.yaml ----------------------------------------------------

// Reads tree form (SwitchName=… Nodes=… / Switches=…: the switch holding a node is its tier-0,
// its ancestors tier-1, tier-2) and block form (BlockName=… Nodes=…: the block is the domain;
// BlockSizes= and BlockLevels= are ignored). Comments, continuation lines and case-insensitive
// keys as Slurm.
Result<Topology> parse_topology_conf(std::string_view text, const std::string& origin);
Result<Topology> load_topology_conf(const std::string& path);

// The Slurm release line that reads the file. Plain values, so that every form is testable
// without Slurm; only the commands turn SLURM_VERSION_NUMBER into one.
struct SlurmVersion {
    int major = 0;
    int minor = 0;
    static SlurmVersion from_number(unsigned long number);    // SLURM_VERSION_NUMBER (0x180b05)
    static Result<SlurmVersion> parse(std::string_view text);  // "24.11" or "24.11.5"
    bool at_least(int maj, int min) const { return major > maj || (major == maj && minor >= min); }
    std::string str() const;                                   // "24.11"
    auto operator<=>(const SlurmVersion&) const = default;
};

// tree: topology/tree's topology.conf (every version). block: topology/block's topology.conf in
// the dialect of the version (23.11: BlockLevels, equal blocks; 24.05+: BlockSizes). yaml:
// topology.yaml (25.05+) with a block and a tree topology. auto: yaml when the target file
// ends in ".yaml", else tree (a topology.conf must match slurm.conf's TopologyPlugin, which
// kubeslurm cannot see, and tree is what every version and the previous default accept).
enum class ConfFormat { Auto, Tree, Block, Yaml };
Result<ConfFormat> parse_conf_format(std::string_view text);  // auto | tree | block | yaml
std::string_view conf_format_name(ConfFormat format);

// Names of the two topologies in topology.yaml (partitions pick one with Topology=NAME).
inline constexpr std::string_view kYamlBlockTopology = "block";
inline constexpr std::string_view kYamlTreeTopology = "tree";

struct ConfOptions {
    ConfFormat format = ConfFormat::Auto;
    SlurmVersion slurm;        // the Slurm that reads the file
    uint32_t block_size = 0;   // planning block size (nodes); 0 = the most common NVLink domain size
    std::string path;          // the file written ("-" = stdout): auto picks yaml for "*.yaml"

    // TopologyConfFormat, TopologyConfBlockSize, TopologyConfSlurmVersion (empty = `built`, the
    // Slurm the command was compiled for), TopologyConfFile. Errors name the key.
    static Result<ConfOptions> from_config(const config::Config& cfg, SlurmVersion built);
    // auto resolved, and the form checked against the version and the file name.
    Result<ConfFormat> resolved_format() const;
};

struct ConfText {
    ConfFormat format = ConfFormat::Tree;  // resolved
    std::string text;
    std::vector<std::string> warnings;     // nodes left out of the file or of the blocks: for the log
};

// The whole file for `options`. Every name written is a safe Slurm name ([A-Za-z0-9._-], at most
// 64 characters; other domain/switch IDs are rewritten, node names outside that set are left
// out with a warning), so that no label value can add a line or a key. Block rules (Slurm's
// block_record.c): the planning size P is the most common NVLink domain size unless set; nodes
// without a domain are in no block; 23.11 needs blocks of exactly P (a larger domain is split
// into blocks of P, the rest and smaller domains are left out); 24.05/24.11 need blocks of at
// least P (smaller domains are left out); 25.05+ takes every domain. An error when the form does
// not exist in that version or no block is left to write.
Result<ConfText> to_slurm_topology(const Topology& topo, const ConfOptions& options);

}  // namespace ks::topology
