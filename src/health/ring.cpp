#include "health/ring.h"

#include <algorithm>

#include "common/log.h"
#include "health/rendezvous_tcp.h"

namespace ks::health {
namespace {

const ks::log::Logger logger("gpucheck: ring");

}  // namespace

Result<RingLinks> connect_ring(int listener, const std::vector<Peer>& peers, int rank, Authenticator& auth,
                               const AcceptPolicy& policy, wire::Deadline deadline, RingFailure* failure) {
    RingLinks links;
    links.rank = rank;
    links.size = static_cast<int>(peers.size());
    const int n = links.size;
    const Peer& next = peers[static_cast<size_t>((rank + 1) % n)];
    const Peer& prev = peers[static_cast<size_t>((rank + n - 1) % n)];
    links.next_node = next.node;
    links.prev_node = prev.node;

    auto out = wire::connect_tcp(next.addr.empty() ? "127.0.0.1" : next.addr, next.port, deadline);
    if (!out) {
        *failure = {"cannot connect to " + next.node + ": " + out.error(), next.node};
        return Error{failure->message};
    }
    nlohmann::json hello{{"type", "ring"}, {"job_id", policy.job_id}, {"rank", rank}};
    if (auto st = send_message(out->get(), auth, hello, deadline); !st) {
        *failure = {"ring hello to " + next.node + ": " + st.error(), st.error().rfind("munge", 0) == 0 ? "" : next.node};
        return Error{failure->message};
    }
    links.to_next = std::move(out.value());

    const int want = (rank + n - 1) % n;
    while (!links.from_prev) {
        auto in = wire::accept_one(listener, deadline);
        if (!in) {
            *failure = {prev.node + " never connected to the ring: " + in.error(), prev.node};
            return Error{failure->message};
        }
        std::string from = wire::peer_address(in->get());
        auto msg = recv_message(in->get(), auth, policy, std::min(deadline, wire::after(2)));
        if (!msg || msg.value().value("type", "") != "ring" || msg.value().value("rank", -1) != want) {
            logger.warning("rejected a ring connection from ", from, ": ", msg ? "not the previous rank" : msg.error());
            continue;
        }
        links.from_prev = std::move(in.value());
    }
    return links;
}

bool ring_allreduce(RingLinks& ring, std::vector<uint64_t>& data, wire::Deadline deadline, RingFailure* failure) {
    const size_t n = static_cast<size_t>(ring.size);
    if (n <= 1) return true;
    // Chunk c covers [offset(c), offset(c+1)).
    const auto offset = [&](size_t c) { return data.size() * c / n; };
    std::vector<uint64_t> incoming(data.size() / n + 1);
    const size_t r = static_cast<size_t>(ring.rank);
    const auto step = [&](size_t send_chunk, size_t recv_chunk, bool reduce) {
        const size_t s0 = offset(send_chunk), s1 = offset(send_chunk + 1);
        const size_t r0 = offset(recv_chunk), r1 = offset(recv_chunk + 1);
        wire::Side side = wire::Side::None;
        auto st = wire::exchange(ring.to_next.get(), data.data() + s0, (s1 - s0) * sizeof(uint64_t), ring.from_prev.get(),
                                 incoming.data(), (r1 - r0) * sizeof(uint64_t), deadline, &side);
        if (!st) {
            std::string who = side == wire::Side::Send ? ring.next_node : side == wire::Side::Receive ? ring.prev_node : "";
            *failure = {(who.empty() ? std::string("ring") : "ring with " + who) + ": " + st.error(), who};
            return false;
        }
        for (size_t i = r0; i < r1; ++i) data[i] = reduce ? data[i] + incoming[i - r0] : incoming[i - r0];
        return true;
    };
    // Reduce-scatter: after n-1 steps rank r owns the full sum of chunk (r+1) mod n.
    for (size_t k = 0; k < n - 1; ++k)
        if (!step((r + n - k) % n, (r + n - k - 1) % n, true)) return false;
    // All-gather: pass the finished chunks around.
    for (size_t k = 0; k < n - 1; ++k)
        if (!step((r + 1 + n - k) % n, (r + n - k) % n, false)) return false;
    return true;
}

}  // namespace ks::health
