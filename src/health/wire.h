// TCP plumbing with deadlines for the rendezvous and the ring: non-blocking sockets, poll(),
// length-prefixed frames (4-byte big-endian length, then the bytes).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ks::health::wire {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline constexpr size_t kMaxFrame = 1 << 20;

Deadline after(double seconds);
double seconds_left(Deadline d);

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(Fd&& o) noexcept : m_fd(o.release()) {}
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();
    int get() const { return m_fd; }
    int release();
    explicit operator bool() const { return m_fd >= 0; }

private:
    int m_fd = -1;
};

// Listens on all addresses; port 0 = ephemeral.
Result<Fd> listen_tcp(uint16_t port, int backlog = 128);
uint16_t local_port(int fd);
std::string peer_address(int fd);   // numeric
std::string local_address(int fd);  // numeric
// A connect to a local port nobody listens on succeeds, as a TCP simultaneous open, when the
// kernel picks that same port as the source: the socket then talks to itself. connect_tcp
// refuses such a socket, so a peer that has not started yet is retried, not mistaken for one.
bool connected_to_itself(int fd);
Result<Fd> connect_tcp(const std::string& addr, uint16_t port, Deadline deadline);
// Waits for one connection until the deadline; error "timeout" when none came.
Result<Fd> accept_one(int listener, Deadline deadline);

ks::Status send_all(int fd, const void* data, size_t len, Deadline deadline);
ks::Status recv_all(int fd, void* data, size_t len, Deadline deadline);
ks::Status send_frame(int fd, std::string_view data, Deadline deadline);
Result<std::string> recv_frame(int fd, Deadline deadline, size_t max = kMaxFrame);

// Sends `out` on `out_fd` while receiving `in_len` bytes from `in_fd` (full duplex, one thread).
// Reads one frame from a non-blocking socket a piece at a time, so that one loop can serve many
// connections and a silent one cannot hold up the others.
class FrameReader {
public:
    enum class State { More, Done, Failed };
    explicit FrameReader(size_t max = kMaxFrame) : m_max(max) {}
    State feed(int fd);  // call when fd is readable
    const std::string& frame() const { return m_body; }
    const std::string& error() const { return m_error; }

private:
    size_t m_max;
    std::string m_header, m_body, m_error;
    size_t m_want = 0;
};

// On failure `failed_side` says which direction broke (for blaming the right neighbour).
enum class Side { None, Send, Receive };
ks::Status exchange(int out_fd, const void* out, size_t out_len, int in_fd, void* in, size_t in_len, Deadline deadline,
                Side* failed_side = nullptr);

}  // namespace ks::health::wire
