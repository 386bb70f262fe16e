#include "placement/stock_request.h"

#include <limits>
#include <string>

namespace ks::placement {

Result<StockRequest> stock_request(const StockJob& job) {
    StockRequest out;
    switch (job.policy) {
        case Policy::Any:
        case Policy::Prefer:
            return out;
        case Policy::Leaf:
            if (!job.has_switches) out.switches = 1;
            return out;
        case Policy::Block:
            break;
    }
    if (job.has_segment || job.min_nodes <= 1) return out;  // one node is in one block anyway
    if (job.max_nodes > job.min_nodes)
        return Error{"--topology=block places the whole job in one NVLink domain: give one node "
                     "count (-N " + std::to_string(job.min_nodes) + "), not a range (-N " +
                     std::to_string(job.min_nodes) + "-" + std::to_string(job.max_nodes) + ")"};
    if (job.min_nodes > std::numeric_limits<uint16_t>::max())
        return Error{"--topology=block: " + std::to_string(job.min_nodes) +
                     " nodes are more than any NVLink domain holds"};
    out.segment_size = static_cast<uint16_t>(job.min_nodes);
    return out;
}

}  // namespace ks::placement
