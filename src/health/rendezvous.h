// The meeting point of one job's checkers, seen by the checks: rank, size, the other nodes'
// ring endpoints, and allgather() (the GPU backend distributes the NCCL unique ID with it).
// Implemented over TCP with munge-signed messages in rendezvous_tcp.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ks::health {

struct Peer {
    std::string node;
    std::string addr;    // numeric address the node is reachable at
    uint16_t port = 0;   // its ring listener
};

class Rendezvous {
public:
    virtual ~Rendezvous() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    virtual long job_id() const = 0;
    virtual const std::vector<Peer>& peers() const = 0;  // every node, rank order
    // Every node contributes `len` bytes; `out` receives size() * len bytes in rank order.
    virtual bool allgather(const void* in, size_t len, void* out, double timeout_s) = 0;
};

}  // namespace ks::health
