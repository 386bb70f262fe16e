#include "health/rendezvous_tcp.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "common/log.h"

namespace ks::health {
namespace {

const ks::log::Logger logger("gpucheck: rendezvous");

std::string to_hex(const void* data, size_t len) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (size_t i = 0; i < len; ++i) {
        unsigned char c = static_cast<const unsigned char*>(data)[i];
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

bool from_hex(const std::string& hex, size_t len, void* out) {
    if (hex.size() != len * 2) return false;
    auto* p = static_cast<unsigned char*>(out);
    for (size_t i = 0; i < len; ++i) {
        unsigned v = 0;
        for (int k = 0; k < 2; ++k) {
            char c = hex[i * 2 + k];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
            else return false;
        }
        p[i] = static_cast<unsigned char>(v);
    }
    return true;
}

std::string str_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

long int_field(const nlohmann::json& j, const char* key, long fallback = -1) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<long>() : fallback;
}

}  // namespace

uint16_t rendezvous_port(long job_id, int lo, int hi) {
    long range = static_cast<long>(hi) - lo + 1;
    return static_cast<uint16_t>(lo + (job_id % range + range) % range);
}

ks::Status send_message(int fd, Authenticator& auth, const nlohmann::json& msg, wire::Deadline deadline) {
    auto sealed = auth.seal(msg.dump());
    if (!sealed) return Error{sealed.error()};
    return wire::send_frame(fd, sealed.value(), deadline);
}

Result<nlohmann::json> recv_message(int fd, Authenticator& auth, const AcceptPolicy& policy, wire::Deadline deadline) {
    auto frame = wire::recv_frame(fd, deadline, 64 * 1024);
    if (!frame) return Error{frame.error()};
    auto cred = auth.open(frame.value());
    if (!cred) return Error{cred.error()};
    return accept_message(cred.value(), policy);
}

namespace {

struct Arrival {
    wire::Fd fd;
    std::string addr;
    uint16_t port = 0;
};

// Judges one hello frame; errors say why it was rejected.
Result<int> judge_hello(const std::string& frame, const RendezvousSettings& s, Authenticator& auth,
                        const std::vector<Arrival>& arrived, uint16_t* ring_port) {
    auto cred = auth.open(frame);
    if (!cred) return Error{cred.error()};
    auto msg = accept_message(cred.value(), s.policy);
    if (!msg) return Error{msg.error()};
    const auto& j = msg.value();
    if (str_field(j, "type") != "hello") return Error{"expected a hello message"};
    long rank = int_field(j, "rank");
    std::string node = str_field(j, "node");
    if (rank <= 0 || rank >= static_cast<long>(s.nodes.size()) || s.nodes[static_cast<size_t>(rank)] != node)
        return Error{"node '" + node + "' with rank " + std::to_string(rank) + " is not a follower of this job"};
    if (arrived[static_cast<size_t>(rank)].fd) return Error{"node " + node + " already arrived"};
    long port = int_field(j, "port");
    if (port <= 0 || port > 65535) return Error{"hello without a valid ring port"};
    *ring_port = static_cast<uint16_t>(port);
    return static_cast<int>(rank);
}

// A connection whose hello is still being read.
struct Pending {
    wire::Fd fd;
    std::string from;
    wire::FrameReader reader{64 * 1024};
    wire::Deadline until;
};

// Serves every connection at once until all followers said hello or the deadline passed; a
// connection that stays silent for 2 s, or sends anything but a valid hello, is dropped.
void gather_hellos(int listener, const RendezvousSettings& s, Authenticator& auth, wire::Deadline deadline,
                   std::vector<Arrival>& arrived) {
    constexpr size_t kMaxPending = 256;
    std::vector<Pending> pending;
    size_t count = 1;
    while (count < s.nodes.size() && wire::seconds_left(deadline) > 0) {
        std::vector<pollfd> fds{{listener, POLLIN, 0}};
        auto wake = deadline;
        for (auto& p : pending) {
            fds.push_back({p.fd.get(), POLLIN, 0});
            wake = std::min(wake, p.until);
        }
        int ms = static_cast<int>(std::max(0.0, wire::seconds_left(wake)) * 1000) + 1;
        if (poll(fds.data(), fds.size(), ms) < 0 && errno != EINTR) break;
        for (size_t i = 1; i < fds.size(); ++i) {
            Pending& p = pending[i - 1];
            if (!fds[i].revents) continue;
            auto state = p.reader.feed(p.fd.get());
            if (state == wire::FrameReader::State::More) continue;
            if (state == wire::FrameReader::State::Failed) {
                logger.warning("rejected a message from ", p.from, ": ", p.reader.error());
            } else {
                uint16_t ring_port = 0;
                auto rank = judge_hello(p.reader.frame(), s, auth, arrived, &ring_port);
                if (!rank) {
                    logger.warning("rejected a message from ", p.from, ": ", rank.error());
                } else {
                    auto& a = arrived[static_cast<size_t>(rank.value())];
                    a.addr = p.from;
                    a.port = ring_port;
                    a.fd = std::move(p.fd);
                    ++count;
                    logger.verbose(s.nodes[static_cast<size_t>(rank.value())], " arrived from ", a.addr);
                }
            }
            p.fd = wire::Fd();  // done with it: moved into `arrived` or closed
        }
        const auto now = wire::Clock::now();
        std::erase_if(pending, [&](Pending& p) {
            if (p.fd && p.until <= now) logger.warning("rejected a connection from ", p.from, ": no hello within 2 s");
            return !p.fd || p.until <= now;
        });
        if (fds[0].revents) {
            while (pending.size() < kMaxPending) {
                auto conn = wire::accept_one(listener, wire::Clock::now());
                if (!conn) break;
                Pending p;
                p.from = wire::peer_address(conn->get());
                p.fd = std::move(conn.value());
                p.until = std::min(deadline, wire::after(2));
                pending.push_back(std::move(p));
            }
        }
    }
}

nlohmann::json peers_message(long job_id, const std::vector<Peer>& peers, const std::vector<std::string>& missing) {
    nlohmann::json j{{"type", "peers"}, {"job_id", job_id}, {"missing", missing}};
    j["peers"] = nlohmann::json::array();
    for (const auto& p : peers) j["peers"].push_back({{"node", p.node}, {"addr", p.addr}, {"port", p.port}});
    return j;
}

MeetOutcome lead(const RendezvousSettings& s, std::shared_ptr<Authenticator> auth, wire::Fd ring, uint16_t ring_port,
                 wire::Clock::time_point started) {
    MeetOutcome out;
    auto listener = wire::listen_tcp(s.port);
    if (!listener) {
        out.error = "cannot listen on rendezvous port " + std::to_string(s.port) + ": " + listener.error();
        return out;
    }
    const auto deadline = wire::after(s.timeout_s);
    std::vector<Arrival> arrived(s.nodes.size());
    gather_hellos(listener->get(), s, *auth, deadline, arrived);
    std::vector<Peer> peers(s.nodes.size());
    for (size_t r = 0; r < s.nodes.size(); ++r) {
        peers[r].node = s.nodes[r];
        peers[r].addr = arrived[r].addr;
        peers[r].port = arrived[r].port;
    }
    peers[0].port = ring_port;
    for (size_t r = 1; r < s.nodes.size(); ++r)
        if (!arrived[r].fd) out.missing.push_back(s.nodes[r]);
    // Tell everyone who came the outcome; the leader's address is the one each follower reached.
    const auto reply_deadline = wire::after(2);
    for (size_t r = 1; r < s.nodes.size(); ++r) {
        if (!arrived[r].fd) continue;
        peers[0].addr = wire::local_address(arrived[r].fd.get());
        if (auto st = send_message(arrived[r].fd.get(), *auth, peers_message(s.policy.job_id, peers, out.missing),
                                   reply_deadline);
            !st)
            logger.warning("cannot answer ", s.nodes[r], ": ", st.error());
    }
    out.seconds = std::chrono::duration<double>(wire::Clock::now() - started).count();
    if (!out.missing.empty()) return out;
    peers[0].addr.clear();
    TcpRendezvousState st;
    st.rank = 0;
    st.peers = std::move(peers);
    st.policy = s.policy;
    st.auth = std::move(auth);
    st.ring_listener = std::move(ring);
    for (auto& a : arrived) st.followers.push_back(std::move(a.fd));
    out.rendezvous = std::make_unique<TcpRendezvous>(std::move(st));
    return out;
}

MeetOutcome follow(const RendezvousSettings& s, std::shared_ptr<Authenticator> auth, wire::Fd ring, uint16_t ring_port,
                   wire::Clock::time_point started) {
    MeetOutcome out;
    const std::string& leader = s.nodes.front();
    const auto hard_deadline = wire::after(s.max_wait_s > 0 ? s.max_wait_s : 2 * s.timeout_s + 2);
    const auto connect_deadline = std::min(hard_deadline, wire::after(s.timeout_s));
    wire::Fd conn;
    std::string last_error = "timeout";
    while (!conn && wire::seconds_left(connect_deadline) > 0) {
        auto c = wire::connect_tcp(s.leader_addr, s.port, std::min(connect_deadline, wire::after(1)));
        if (c) {
            conn = std::move(c.value());
            break;
        }
        last_error = c.error();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (!conn) {
        logger.warning("cannot reach the leader ", leader, " at ", s.leader_addr, ":", s.port, ": ", last_error);
        out.missing = {leader};
        return out;
    }
    nlohmann::json hello{{"type", "hello"}, {"job_id", s.policy.job_id}, {"node", s.nodes[static_cast<size_t>(s.rank)]},
                         {"rank", s.rank}, {"port", ring_port}};
    if (auto st = send_message(conn.get(), *auth, hello, std::min(hard_deadline, wire::after(5))); !st) {
        if (st.error().rfind("munge", 0) == 0) {
            out.error = st.error();  // our own munge is broken: not the leader's fault
            return out;
        }
        logger.warning("cannot send hello to the leader ", leader, ": ", st.error());
        out.missing = {leader};
        return out;
    }
    // The leader answers at the latest at its own deadline, which began before we connected.
    auto reply = recv_message(conn.get(), *auth, s.policy, std::min(hard_deadline, wire::after(s.timeout_s + 2)));
    if (!reply || str_field(reply.value(), "type") != "peers") {
        logger.warning("no answer from the leader ", leader, ": ", reply ? "unexpected message" : reply.error());
        out.missing = {leader};
        return out;
    }
    const auto& j = reply.value();
    if (auto it = j.find("missing"); it != j.end() && it->is_array())
        for (const auto& m : *it)
            if (m.is_string()) out.missing.push_back(m.get<std::string>());
    out.seconds = std::chrono::duration<double>(wire::Clock::now() - started).count();
    if (!out.missing.empty()) return out;
    std::vector<Peer> peers;
    if (auto it = j.find("peers"); it != j.end() && it->is_array())
        for (const auto& p : *it)
            peers.push_back({str_field(p, "node"), str_field(p, "addr"), static_cast<uint16_t>(int_field(p, "port", 0))});
    if (peers.size() != s.nodes.size()) {
        out.error = "the leader sent " + std::to_string(peers.size()) + " peers for " + std::to_string(s.nodes.size()) + " nodes";
        return out;
    }
    TcpRendezvousState st;
    st.rank = s.rank;
    st.peers = std::move(peers);
    st.policy = s.policy;
    st.auth = std::move(auth);
    st.ring_listener = std::move(ring);
    st.leader = std::move(conn);
    out.rendezvous = std::make_unique<TcpRendezvous>(std::move(st));
    return out;
}

}  // namespace

MeetOutcome meet(const RendezvousSettings& settings, std::shared_ptr<Authenticator> auth) {
    const auto started = wire::Clock::now();
    RendezvousSettings s = settings;
    s.policy.job_id = s.job_id;
    MeetOutcome out;
    if (s.nodes.empty() || s.rank < 0 || s.rank >= static_cast<int>(s.nodes.size())) {
        out.error = "rank outside the node list";
        return out;
    }
    auto ring = wire::listen_tcp(0);
    if (!ring) {
        out.error = "cannot open the ring listener: " + ring.error();
        return out;
    }
    uint16_t ring_port = wire::local_port(ring->get());
    return s.rank == 0 ? lead(s, std::move(auth), std::move(ring.value()), ring_port, started)
                       : follow(s, std::move(auth), std::move(ring.value()), ring_port, started);
}

bool TcpRendezvous::allgather(const void* in, size_t len, void* out, double timeout_s) {
    const auto deadline = wire::after(timeout_s);
    const long seq = ++m_seq;
    auto* dst = static_cast<unsigned char*>(out);
    if (m.rank != 0) {
        nlohmann::json msg{{"type", "gather"}, {"job_id", m.policy.job_id}, {"seq", seq}, {"data", to_hex(in, len)}};
        if (auto st = send_message(m.leader.get(), *m.auth, msg, deadline); !st) {
            logger.error("allgather: send to the leader: ", st.error());
            return false;
        }
        auto reply = recv_message(m.leader.get(), *m.auth, m.policy, deadline);
        if (!reply || str_field(reply.value(), "type") != "gathered" || int_field(reply.value(), "seq") != seq) {
            logger.error("allgather: no answer from the leader: ", reply ? "unexpected message" : reply.error());
            return false;
        }
        const auto& data = reply.value()["data"];
        if (!data.is_array() || data.size() != m.peers.size()) return false;
        for (size_t r = 0; r < m.peers.size(); ++r)
            if (!data[r].is_string() || !from_hex(data[r].get<std::string>(), len, dst + r * len)) return false;
        return true;
    }
    std::vector<std::string> parts(m.peers.size());
    parts[0] = to_hex(in, len);
    for (size_t r = 1; r < m.peers.size(); ++r) {
        auto msg = recv_message(m.followers[r].get(), *m.auth, m.policy, deadline);
        if (!msg || str_field(msg.value(), "type") != "gather" || int_field(msg.value(), "seq") != seq ||
            str_field(msg.value(), "data").size() != len * 2) {
            logger.error("allgather: bad or missing contribution from ", m.peers[r].node, ": ",
                         msg ? "unexpected message" : msg.error());
            return false;
        }
        parts[r] = str_field(msg.value(), "data");
    }
    nlohmann::json reply{{"type", "gathered"}, {"job_id", m.policy.job_id}, {"seq", seq}, {"data", parts}};
    for (size_t r = 1; r < m.peers.size(); ++r)
        if (auto st = send_message(m.followers[r].get(), *m.auth, reply, deadline); !st) return false;
    for (size_t r = 0; r < m.peers.size(); ++r)
        if (!from_hex(parts[r], len, dst + r * len)) return false;
    return true;
}

}  // namespace ks::health
