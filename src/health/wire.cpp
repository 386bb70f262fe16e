#include "health/wire.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace ks::health::wire {
namespace {

Error sys_error(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

void set_nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

void set_nodelay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int poll_ms(Deadline d) {
    double left = seconds_left(d);
    if (left <= 0) return 0;
    return static_cast<int>(left * 1000) + 1;
}

// Waits until fd is ready for `events`; false on deadline.
ks::Status wait_for(int fd, short events, Deadline deadline) {
    for (;;) {
        int ms = poll_ms(deadline);
        if (ms <= 0) return Error{"timeout"};
        pollfd p{fd, events, 0};
        int n = poll(&p, 1, ms);
        if (n > 0) return {};
        if (n < 0 && errno != EINTR) return sys_error("poll");
    }
}

std::string numeric(const sockaddr_storage& ss) {
    char buf[INET6_ADDRSTRLEN] = {};
    if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(ss).sin_addr, buf, sizeof buf);
    else if (ss.ss_family == AF_INET6) inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr, buf, sizeof buf);
    std::string s = buf;
    if (s.rfind("::ffff:", 0) == 0 && s.find('.') != std::string::npos) s = s.substr(7);  // v4-mapped
    return s;
}

uint16_t port_of(const sockaddr_storage& ss) {
    if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(ss).sin_port);
    if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(ss).sin6_port);
    return 0;
}

enum class End { Local, Peer };

// One end of a socket's connection (getsockname / getpeername); nullopt when the call fails.
std::optional<sockaddr_storage> endpoint(int fd, End end) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    auto* sa = reinterpret_cast<sockaddr*>(&ss);
    if ((end == End::Local ? getsockname(fd, sa, &len) : getpeername(fd, sa, &len)) != 0) return std::nullopt;
    return ss;
}

}  // namespace

Deadline after(double seconds) {
    return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

double seconds_left(Deadline d) { return std::chrono::duration<double>(d - Clock::now()).count(); }

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = o.release();
    }
    return *this;
}

Fd::~Fd() {
    if (m_fd >= 0) ::close(m_fd);
}

int Fd::release() {
    int fd = m_fd;
    m_fd = -1;
    return fd;
}

Result<Fd> listen_tcp(uint16_t port, int backlog) {
    // Dual-stack when IPv6 exists, IPv4 otherwise.
    Fd fd(socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
    bool v6 = static_cast<bool>(fd);
    if (!v6) fd = Fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return sys_error("socket");
    int one = 1, zero = 0;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    int rc;
    if (v6) {
        setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        a.sin6_addr = in6addr_any;
        a.sin6_port = htons(port);
        rc = bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    } else {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        a.sin_port = htons(port);
        rc = bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    if (rc != 0) return sys_error("bind port " + std::to_string(port));
    if (listen(fd.get(), backlog) != 0) return sys_error("listen");
    set_nonblocking(fd.get());
    return fd;
}

uint16_t local_port(int fd) {
    auto local = endpoint(fd, End::Local);
    return local ? port_of(*local) : 0;
}

std::string peer_address(int fd) {
    auto peer = endpoint(fd, End::Peer);
    return peer ? numeric(*peer) : "";
}

std::string local_address(int fd) {
    auto local = endpoint(fd, End::Local);
    return local ? numeric(*local) : "";
}

bool connected_to_itself(int fd) {
    auto local = endpoint(fd, End::Local), peer = endpoint(fd, End::Peer);
    return local && peer && port_of(*local) == port_of(*peer) && numeric(*local) == numeric(*peer);
}

Result<Fd> connect_tcp(const std::string& addr, uint16_t port, Deadline deadline) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string service = std::to_string(port);
    if (int rc = getaddrinfo(addr.c_str(), service.c_str(), &hints, &res); rc != 0)
        return Error{addr + ": " + gai_strerror(rc)};
    std::string last = "no address";
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        Fd fd(socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
        if (!fd) continue;
        set_nonblocking(fd.get());
        int rc = connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            if (auto st = wait_for(fd.get(), POLLOUT, deadline); !st) {
                last = "connect: " + st.error();
                continue;
            }
            int err = 0;
            socklen_t len = sizeof err;
            getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            rc = err ? -1 : 0;
            errno = err;
        }
        if (rc != 0) {
            last = std::string("connect: ") + std::strerror(errno);
            continue;
        }
        if (connected_to_itself(fd.get())) {
            last = "connect: nothing listens (the kernel connected the socket to itself)";
            continue;
        }
        set_nodelay(fd.get());
        freeaddrinfo(res);
        return fd;
    }
    freeaddrinfo(res);
    return Error{addr + ":" + service + ": " + last};
}

Result<Fd> accept_one(int listener, Deadline deadline) {
    for (;;) {
        int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            set_nodelay(fd);
            return Fd(fd);
        }
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) return sys_error("accept");
        if (auto st = wait_for(listener, POLLIN, deadline); !st) return Error{st.error()};
    }
}

ks::Status send_all(int fd, const void* data, size_t len, Deadline deadline) {
    auto* p = static_cast<const char*>(data);
    while (len > 0) {
        ssize_t n = ::send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (auto st = wait_for(fd, POLLOUT, deadline); !st) return st;
            continue;
        }
        return sys_error("send");
    }
    return {};
}

ks::Status recv_all(int fd, void* data, size_t len, Deadline deadline) {
    auto* p = static_cast<char*>(data);
    while (len > 0) {
        ssize_t n = ::recv(fd, p, len, 0);
        if (n > 0) {
            p += n;
            len -= static_cast<size_t>(n);
            continue;
        }
        if (n == 0) return Error{"connection closed by the peer"};
        if (errno == EAGAIN || errno == EINTR) {
            if (auto st = wait_for(fd, POLLIN, deadline); !st) return st;
            continue;
        }
        return sys_error("recv");
    }
    return {};
}

ks::Status send_frame(int fd, std::string_view data, Deadline deadline) {
    if (data.size() > kMaxFrame) return Error{"frame too large"};
    uint32_t n = htonl(static_cast<uint32_t>(data.size()));
    if (auto st = send_all(fd, &n, sizeof n, deadline); !st) return st;
    return send_all(fd, data.data(), data.size(), deadline);
}

Result<std::string> recv_frame(int fd, Deadline deadline, size_t max) {
    uint32_t n = 0;
    if (auto st = recv_all(fd, &n, sizeof n, deadline); !st) return Error{st.error()};
    size_t len = ntohl(n);
    if (len > max) return Error{"frame of " + std::to_string(len) + " bytes exceeds the limit"};
    std::string out(len, '\0');
    if (auto st = recv_all(fd, out.data(), len, deadline); !st) return Error{st.error()};
    return out;
}

FrameReader::State FrameReader::feed(int fd) {
    char buf[4096];
    for (;;) {
        size_t need = m_header.size() < 4 ? 4 - m_header.size() : m_want - m_body.size();
        if (m_header.size() == 4 && need == 0) return State::Done;
        ssize_t n = ::recv(fd, buf, std::min(need, sizeof buf), 0);
        if (n == 0) {
            m_error = "connection closed by the peer";
            return State::Failed;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return State::More;
            m_error = std::string("recv: ") + std::strerror(errno);
            return State::Failed;
        }
        if (m_header.size() < 4) {
            m_header.append(buf, static_cast<size_t>(n));
            if (m_header.size() == 4) {
                uint32_t len = 0;
                std::memcpy(&len, m_header.data(), 4);
                m_want = ntohl(len);
                if (m_want > m_max) {
                    m_error = "frame of " + std::to_string(m_want) + " bytes exceeds the limit";
                    return State::Failed;
                }
                m_body.reserve(m_want);
            }
        } else {
            m_body.append(buf, static_cast<size_t>(n));
        }
    }
}

ks::Status exchange(int out_fd, const void* out, size_t out_len, int in_fd, void* in, size_t in_len, Deadline deadline,
                Side* failed_side) {
    auto* op = static_cast<const char*>(out);
    auto* ip = static_cast<char*>(in);
    const auto fail = [&](Side side, std::string what) {
        if (failed_side) *failed_side = side;
        return Error{std::move(what)};
    };
    while (out_len > 0 || in_len > 0) {
        pollfd p[2];
        nfds_t count = 0;
        int out_idx = -1, in_idx = -1;
        if (out_len > 0) { out_idx = static_cast<int>(count); p[count++] = {out_fd, POLLOUT, 0}; }
        if (in_len > 0) { in_idx = static_cast<int>(count); p[count++] = {in_fd, POLLIN, 0}; }
        int ms = poll_ms(deadline);
        if (ms <= 0) return fail(in_len > 0 ? Side::Receive : Side::Send, "timeout");
        int n = poll(p, count, ms);
        if (n < 0 && errno != EINTR) return fail(Side::None, std::string("poll: ") + std::strerror(errno));
        if (n <= 0) continue;
        if (out_idx >= 0 && p[out_idx].revents) {
            ssize_t k = ::send(out_fd, op, out_len, MSG_NOSIGNAL);
            if (k > 0) { op += k; out_len -= static_cast<size_t>(k); }
            else if (k < 0 && errno != EAGAIN && errno != EINTR) return fail(Side::Send, std::string("send: ") + std::strerror(errno));
        }
        if (in_idx >= 0 && p[in_idx].revents) {
            ssize_t k = ::recv(in_fd, ip, in_len, 0);
            if (k > 0) { ip += k; in_len -= static_cast<size_t>(k); }
            else if (k == 0) return fail(Side::Receive, "connection closed by the peer");
            else if (errno != EAGAIN && errno != EINTR) return fail(Side::Receive, std::string("recv: ") + std::strerror(errno));
        }
    }
    return {};
}

}  // namespace ks::health::wire
