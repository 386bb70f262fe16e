// What a job's topology policy asks of stock Slurm's topology/block and topology/tree, where
// kubeslurm drives stock placement instead of replacing it (Slurm 25.05 and later: the
// job_submit/kubeslurm plugin):
//   block   a segment of the job's size: the whole job inside one block (one NVLink domain)
//   leaf    --switches=1: one leaf switch (topology/tree)
//   prefer  nothing: stock block and tree placement already prefer the fewest blocks/switches
//   any     nothing
// A user's own --segment or --switches is kept.
#pragma once

#include <cstdint>
#include <optional>

#include "common/result.h"
#include "placement/placement.h"

namespace ks::placement {

struct StockJob {
    Policy policy = Policy::Prefer;
    uint32_t min_nodes = 1;
    uint32_t max_nodes = 0;       // 0 = min_nodes
    bool has_segment = false;     // the user gave --segment
    bool has_switches = false;    // the user gave --switches
};

struct StockRequest {
    std::optional<uint16_t> segment_size;
    std::optional<uint32_t> switches;
    bool operator==(const StockRequest&) const = default;
};

// The fields to set on the job; an error (for the user, at submission) when the policy cannot be
// asked of stock Slurm, e.g. `block` with a node range.
Result<StockRequest> stock_request(const StockJob& job);

}  // namespace ks::placement
