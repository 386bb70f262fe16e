// Multi-node rendezvous over TCP. The leader (rank 0, first node of the job's node list) listens
// on a port derived from the job ID; every other node connects, says hello with its ring port,
// and receives the list of all nodes' ring endpoints. Every message is munge-signed and accepted
// only from root or SlurmUser for this job (see auth.h). A node that does not arrive before the
// deadline is named; a follower that cannot reach the leader names the leader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "health/auth.h"
#include "health/rendezvous.h"
#include "health/wire.h"

namespace ks::health {

struct RendezvousSettings {
    long job_id = 0;
    std::vector<std::string> nodes;  // rank order
    int rank = 0;
    uint16_t port = 0;               // the leader's port
    std::string leader_addr;         // followers connect here
    double timeout_s = 20;
    double max_wait_s = 0;           // followers: bound on connect + answer (0 = 2 x timeout + 2)
    AcceptPolicy policy;             // allowed uids; job_id is filled from job_id
};

// Port of the job's rendezvous: lo + job_id mod (hi - lo + 1).
uint16_t rendezvous_port(long job_id, int lo, int hi);

// What a completed rendezvous holds: the connections it keeps for allgather() and the ring.
struct TcpRendezvousState {
    int rank = 0;
    std::vector<Peer> peers;
    AcceptPolicy policy;
    std::shared_ptr<Authenticator> auth;
    wire::Fd ring_listener;
    wire::Fd leader;                  // followers: connection to the leader
    std::vector<wire::Fd> followers;  // leader: connection per rank (index 0 unused)
};

class TcpRendezvous final : public Rendezvous {
public:
    explicit TcpRendezvous(TcpRendezvousState state) : m(std::move(state)) {}
    int rank() const override { return m.rank; }
    int size() const override { return static_cast<int>(m.peers.size()); }
    long job_id() const override { return m.policy.job_id; }
    const std::vector<Peer>& peers() const override { return m.peers; }
    bool allgather(const void* in, size_t len, void* out, double timeout_s) override;

    // For the ring: this node's listener (its port is in peers()[rank()]), the authenticator and
    // the acceptance policy.
    int ring_listener() const { return m.ring_listener.get(); }
    Authenticator& auth() { return *m.auth; }
    const AcceptPolicy& policy() const { return m.policy; }

private:
    TcpRendezvousState m;
    long m_seq = 0;
};

struct MeetOutcome {
    std::unique_ptr<TcpRendezvous> rendezvous;  // set when every node arrived
    std::vector<std::string> missing;           // nodes at fault (never arrived / unreachable leader)
    std::string error;                          // this node could not take part (bind failed ...)
    double seconds = 0;
};

MeetOutcome meet(const RendezvousSettings& settings, std::shared_ptr<Authenticator> auth);

// Sends / receives one signed JSON message.
ks::Status send_message(int fd, Authenticator& auth, const nlohmann::json& msg, wire::Deadline deadline);
Result<nlohmann::json> recv_message(int fd, Authenticator& auth, const AcceptPolicy& policy, wire::Deadline deadline);

}  // namespace ks::health
