// TCP ring between the job's nodes and a verified sum all-reduce over it (reduce-scatter, then
// all-gather: 2(n-1) steps, each sending to the next rank while receiving from the previous one).
// Errors name the neighbour at fault so that the culprit, not this node, is blamed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "health/auth.h"
#include "health/rendezvous.h"
#include "health/wire.h"

namespace ks::health {

struct RingLinks {
    int rank = 0;
    int size = 1;
    wire::Fd to_next;
    wire::Fd from_prev;
    std::string next_node, prev_node;
};

struct RingFailure {
    std::string message;
    std::string culprit;  // the neighbour at fault; empty when this node is
};

// Connects to the next rank (a munge-signed "ring" hello) and accepts the previous one on
// `listener`, rejecting anything else.
Result<RingLinks> connect_ring(int listener, const std::vector<Peer>& peers, int rank, Authenticator& auth,
                               const AcceptPolicy& policy, wire::Deadline deadline, RingFailure* failure);

// In-place sum over all ranks. On failure returns false and fills `failure`.
bool ring_allreduce(RingLinks& ring, std::vector<uint64_t>& data, wire::Deadline deadline, RingFailure* failure);

}  // namespace ks::health
