// HTTP layer of the Kubernetes API test server: authentication (bearer tokens with roles),
// fault injection, discovery, the REST verbs for nodes / pods / namespaces / leases, watch
// streams, and the admin endpoints under /_test/.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "store.h"

namespace kstest {

enum class Role { Read, Write, Admin };

struct Settings {
    std::map<std::string, Role> tokens;   // bearer token -> role
    std::map<std::string, Role> cert_users;  // client certificate CN -> role (mutual TLS)
    int bookmark_interval_ms = 1000;      // BOOKMARK period on watches that allow them
    std::size_t history = 100000;         // events retained for watches
    int default_watch_timeout_s = 1800;
};

struct Fault {
    int status = 500;
    long count = 1;
    double retry_after = -1;  // <0: no Retry-After header
    std::string path;         // request path prefix; empty: any
    std::string method;       // empty: any
    bool drop = false;        // close the connection without a response body
    int watch = -1;           // -1 any, 0 non-watch only, 1 watch only
};

class Api {
public:
    explicit Api(Settings settings);
    void install(httplib::Server& server);
    void shutdown();  // ends watch streams

private:
    using Req = httplib::Request;
    using Res = httplib::Response;

    // Counts the request, checks the token and fires an injected fault; true when it answered.
    bool gate(const Req& req, Res& res);
    // Role of the request: bearer token first, then a verified client certificate's CN.
    std::optional<Role> authenticate(const Req& req) const;
    void handle(const Req& req, Res& res);
    void handle_admin(const Req& req, Res& res);
    bool handle_discovery(const Req& req, Res& res);
    void list(const Kind& kind, const std::string& ns, const Req& req, Res& res);
    void watch(const Kind& kind, const std::string& ns, const Req& req, Res& res);
    void write(const Kind& kind, const std::string& ns, const std::string& name,
               bool status_sub, const Req& req, Res& res);
    std::string serve_port_hint(const Req& req) const;

    Settings m_settings;
    Store m_store;
    std::mutex m_faults_mu;
    std::vector<Fault> m_faults;
    std::atomic<int> m_bookmark_ms;
    std::atomic<bool> m_stopping{false};
    std::atomic<long> m_drop_generation{0};
    std::atomic<long> m_open_watches{0};
    std::atomic<long> m_faults_served{0}, m_patches{0}, m_conflicts{0};
    std::mutex m_stats_mu;
    std::map<std::string, long> m_requests;  // by method
};

}  // namespace kstest
