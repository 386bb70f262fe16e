// Placement policy: which node sets a multi-node job should try, best first. Pure C++ over
// ks::topology (no Slurm types): the select plugin maps Slurm's node bitmap to topology node
// indices, asks for candidates, and tries them in order with cons_tres.
//
//   any     no restriction: one candidate holding every available node.
//   prefer  (default) a job that fits one block goes to the best-fit block (fewest free nodes
//           that still hold it; partly used blocks before whole ones, so whole blocks stay free
//           for big jobs). A larger job takes the fewest blocks possible (never more than the
//           minimum the available nodes allow), tightest fit first, under one leaf switch when
//           that costs no extra block, else one spine, one core, then anywhere.
//   block   strict: only a single block; no candidate otherwise (the job pends).
//   leaf    strict: only nodes under a single leaf switch (fewest blocks there); else pends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "topology/topology.h"

namespace ks::placement {

enum class Policy { Any, Prefer, Block, Leaf };

Result<Policy> parse_policy(std::string_view text);  // any|prefer|block|leaf, case-insensitive
std::string_view to_string(Policy policy);
// block and leaf never cross their scope: the job pends instead.
constexpr bool is_strict(Policy policy) { return policy == Policy::Block || policy == Policy::Leaf; }

struct Request {
    uint32_t min_nodes = 1;
    uint32_t max_nodes = 0;  // 0 = same as min_nodes
    Policy policy = Policy::Prefer;
    // Nodes the job could ever use (in its partition, not down/drained), indexed like the
    // topology; nullptr = every topology node. Used to tell whole blocks from partly used ones
    // and for pending reasons; it never widens `available`.
    const std::vector<bool>* usable = nullptr;
};

struct Candidate {
    std::vector<uint32_t> nodes;   // topology node indices, ascending; min..max of them
                                   // (policy any: every available node)
    std::vector<uint32_t> blocks;  // block indices spanned, ascending
    uint32_t domains = 0;          // == blocks.size()
    uint32_t leaves = 0;           // leaf groups spanned
};

inline constexpr size_t kDefaultMaxCandidates = 4;

// Candidate node sets in the order to try them; empty when the policy cannot place the job now
// (strict policies, or too few available nodes). With `prefer` the first candidate spans the
// fewest blocks the available nodes allow; later ones are fallbacks (other blocks, then wider). `available` is indexed like topology.nodes();
// missing entries count as unavailable. Deterministic: equal inputs give equal output.
std::vector<Candidate> candidates(const topology::Topology& topo,
                                  const std::vector<bool>& available, const Request& request,
                                  size_t max_candidates = kDefaultMaxCandidates);

// The fewest blocks a job of `nodes` nodes could span if every usable node were free (nullptr =
// all nodes usable); nullopt when fewer than `nodes` nodes are usable. Basis of span ratios.
std::optional<uint32_t> minimum_domains(const topology::Topology& topo,
                                        const std::vector<bool>* usable, uint32_t nodes);

// Where a job could reach its minimum span (policy prefer, in backfill): the fewest blocks of
// `usable` nodes that can hold it (the minimum), narrowest scope first (one leaf, one spine, one
// core, anywhere), with the most `free_now` nodes, then the tightest fit. The candidate holds
// every usable node of those blocks, so Slurm can plan on the ones that free first (backfill
// compares that plan with the job's earliest anywhere when nothing waits). nullopt when the
// usable nodes cannot hold the job.
std::optional<Candidate> soonest_minimum_span(const topology::Topology& topo,
                                              const std::vector<bool>& usable,
                                              const std::vector<bool>& free_now,
                                              const Request& request);

// Why a strict job cannot start, for squeue's reason field, e.g.
//   "kubeslurm: waiting for one NVLink domain with 18 free nodes"
//   "kubeslurm: no leaf switch has 40 usable nodes (largest 36)"
// Empty for `any` and `prefer` (Slurm's own reason applies) and when candidates() would place it.
std::string pending_reason(const topology::Topology& topo, const std::vector<bool>& available,
                           const Request& request);

// What a set of nodes spans: the blocks and leaf switches by name (for `explain` and reports).
struct Span {
    std::vector<std::string> domains;  // block names, in block order
    std::vector<std::string> leaves;   // leaf group names
    std::vector<std::string> unknown;  // node names not in the topology
};
Span span_of(const topology::Topology& topo, const std::vector<std::string>& node_names);

}  // namespace ks::placement
