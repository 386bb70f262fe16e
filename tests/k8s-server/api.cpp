#include "api.h"

#include <chrono>
#include <cstdio>
#include <memory>

#include "patch.h"
#include "selector.h"
#include "table.h"
#include "validate.h"

namespace kstest {

namespace {

using Clock = std::chrono::steady_clock;

void send_json(httplib::Response& res, int code, const Json& body) {
    res.status = code;
    res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) { send_json(res, e.code, status_json(e)); }

void send_error(httplib::Response& res, int code, const std::string& reason,
                const std::string& message) {
    send_error(res, ApiError{code, reason, message});
}

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
        if (!part.empty()) out.push_back(part);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

bool is_watch(const httplib::Request& req) {
    auto w = req.get_param_value("watch");
    return w == "1" || w == "true";
}

std::string hex(const std::string& s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

bool unhex(const std::string& s, std::string& out) {
    if (s.size() % 2) return false;
    auto val = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < s.size(); i += 2) {
        int hi = val(s[i]), lo = val(s[i + 1]);
        if (hi < 0 || lo < 0) return false;
        out += static_cast<char>(hi * 16 + lo);
    }
    return true;
}

Json api_resource(const std::string& name, const std::string& kind, bool namespaced,
                  std::vector<std::string> short_names = {}) {
    Json r = {{"name", name},
              {"singularName", ""},
              {"namespaced", namespaced},
              {"kind", kind},
              {"verbs", {"create", "delete", "get", "list", "patch", "update", "watch"}}};
    if (!short_names.empty()) r["shortNames"] = short_names;
    return r;
}

Json subresource(const std::string& name, const std::string& kind, bool namespaced) {
    return {{"name", name},
            {"singularName", ""},
            {"namespaced", namespaced},
            {"kind", kind},
            {"verbs", {"get", "patch", "update"}}};
}

struct Target {
    const Kind* kind = nullptr;
    std::string ns, name;
    bool status = false;
};

// /api/v1/... or /apis/coordination.k8s.io/v1/... -> what it addresses; error text when bad.
bool parse_target(const std::vector<std::string>& seg, Target& t, std::string& error) {
    std::size_t i;
    std::string group;
    if (seg.size() >= 2 && seg[0] == "api" && seg[1] == "v1") {
        i = 2;
    } else if (seg.size() >= 3 && seg[0] == "apis" && seg[1] == "coordination.k8s.io" &&
               seg[2] == "v1") {
        i = 3;
        group = "coordination.k8s.io";
    } else {
        error = "the server could not find the requested resource";
        return false;
    }
    std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
    if (rest.size() >= 3 && rest[0] == "namespaces") {
        t.ns = rest[1];
        rest.erase(rest.begin(), rest.begin() + 2);
    }
    if (rest.empty() || rest.size() > 3 || (rest.size() == 3 && rest[2] != "status")) {
        error = "the server could not find the requested resource";
        return false;
    }
    t.kind = find_kind(rest[0]);
    const bool core = group.empty();
    if (!t.kind || (t.kind->api_version == "v1") != core) {
        error = "the server could not find the requested resource";
        return false;
    }
    if (!t.kind->namespaced && !t.ns.empty()) {
        error = t.kind->plural + " is not namespaced";
        return false;
    }
    if (rest.size() >= 2) t.name = rest[1];
    t.status = rest.size() == 3;
    return true;
}

std::string list_kind(const Kind& k) { return k.name + "List"; }

}  // namespace

Api::Api(Settings settings)
    : m_settings(std::move(settings)),
      m_store(m_settings.history),
      m_bookmark_ms(m_settings.bookmark_interval_ms) {}

void Api::shutdown() {
    m_stopping = true;
    m_store.notify_all();
}

void Api::install(httplib::Server& server) {
    // Authentication and faults run inside the handlers, after httplib has read the request
    // body: answering from a pre-routing handler would leave the body on a keep-alive
    // connection, to be misread as the next request.
    auto h = [this](const Req& req, Res& res) { handle(req, res); };
    server.Get(".*", h);
    server.Post(".*", h);
    server.Put(".*", h);
    server.Patch(".*", h);
    server.Delete(".*", h);
    server.set_exception_handler([](const Req&, Res& res, std::exception_ptr ep) {
        std::string what = "internal error";
        try {
            if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            what = e.what();
        } catch (...) {
        }
        send_error(res, 500, "InternalError", what);
    });
}

std::optional<Role> Api::authenticate(const Req& req) const {
    const std::string auth = req.get_header_value("Authorization");
    const std::string prefix = "Bearer ";
    if (auth.rfind(prefix, 0) == 0) {
        auto tok = m_settings.tokens.find(auth.substr(prefix.size()));
        if (tok != m_settings.tokens.end()) return tok->second;
        return std::nullopt;  // a wrong token is not rescued by a certificate
    }
    if (!req.ssl || m_settings.cert_users.empty()) return std::nullopt;
    SSL* ssl = const_cast<SSL*>(req.ssl);
    X509* peer = SSL_get1_peer_certificate(ssl);
    if (!peer) return std::nullopt;
    std::optional<Role> role;
    char cn[256] = "";
    if (SSL_get_verify_result(ssl) == X509_V_OK &&
        X509_NAME_get_text_by_NID(X509_get_subject_name(peer), NID_commonName, cn, sizeof cn) > 0) {
        auto it = m_settings.cert_users.find(cn);
        if (it != m_settings.cert_users.end()) role = it->second;
    }
    X509_free(peer);
    return role;
}

bool Api::gate(const Req& req, Res& res) {
    {
        std::lock_guard lk(m_stats_mu);
        ++m_requests[req.method];
    }
    const auto who = authenticate(req);
    if (!who) {
        send_error(res, 401, "Unauthorized", "Unauthorized");
        return true;
    }
    const Role role = *who;
    const bool admin_path = req.path.rfind("/_test/", 0) == 0;
    if ((admin_path && role != Role::Admin) || (req.method != "GET" && role == Role::Read)) {
        send_error(res, 403, "Forbidden",
                   "forbidden: this token may not " + req.method + " " + req.path);
        return true;
    }
    if (admin_path) return false;

    Fault hit;
    bool fire = false;
    {
        std::lock_guard lk(m_faults_mu);
        for (auto it = m_faults.begin(); it != m_faults.end(); ++it) {
            if (!it->path.empty() && req.path.rfind(it->path, 0) != 0) continue;
            if (!it->method.empty() && it->method != req.method) continue;
            if (it->watch >= 0 && it->watch != (is_watch(req) ? 1 : 0)) continue;
            hit = *it;
            fire = true;
            if (--it->count <= 0) m_faults.erase(it);
            break;
        }
    }
    if (!fire) return false;
    ++m_faults_served;
    if (hit.drop) {
        // Headers go out, then the connection is cut before any body.
        res.status = 200;
        res.set_chunked_content_provider("application/json",
                                         [](std::size_t, httplib::DataSink&) { return false; });
        return true;
    }
    const char* reason = hit.status == 429 ? "TooManyRequests"
                         : hit.status == 410 ? "Expired"
                         : hit.status >= 500 ? "InternalError"
                                             : "BadRequest";
    send_error(res, hit.status, reason, "injected fault");
    if (hit.retry_after >= 0) {
        char buf[32];
        if (hit.retry_after == static_cast<long>(hit.retry_after))
            std::snprintf(buf, sizeof buf, "%ld", static_cast<long>(hit.retry_after));
        else
            std::snprintf(buf, sizeof buf, "%.3f", hit.retry_after);
        res.set_header("Retry-After", buf);
    }
    return true;
}

std::string Api::serve_port_hint(const Req& req) const {
    return req.local_addr + ":" + std::to_string(req.local_port);
}

bool Api::handle_discovery(const Req& req, Res& res) {
    const std::string& p = req.path;
    if (p == "/version") {
        send_json(res, 200,
                  {{"major", "1"}, {"minor", "32"}, {"gitVersion", "v1.32.0-kubeslurm-test"},
                   {"gitCommit", "0000000"}, {"gitTreeState", "clean"},
                   {"buildDate", "2026-01-01T00:00:00Z"}, {"goVersion", "go1.23"},
                   {"compiler", "gc"}, {"platform", "linux/amd64"}});
    } else if (p == "/api") {
        send_json(res, 200,
                  {{"kind", "APIVersions"},
                   {"versions", {"v1"}},
                   {"serverAddressByClientCIDRs",
                    {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", serve_port_hint(req)}}}}});
    } else if (p == "/apis") {
        Json gv = {{"groupVersion", "coordination.k8s.io/v1"}, {"version", "v1"}};
        send_json(res, 200,
                  {{"kind", "APIGroupList"},
                   {"apiVersion", "v1"},
                   {"groups",
                    {{{"name", "coordination.k8s.io"},
                      {"versions", {gv}},
                      {"preferredVersion", gv}}}}});
    } else if (p == "/api/v1") {
        send_json(res, 200,
                  {{"kind", "APIResourceList"},
                   {"groupVersion", "v1"},
                   {"resources",
                    {api_resource("nodes", "Node", false, {"no"}),
                     subresource("nodes/status", "Node", false),
                     api_resource("pods", "Pod", true, {"po"}),
                     subresource("pods/status", "Pod", true),
                     api_resource("namespaces", "Namespace", false, {"ns"}),
                     api_resource("events", "Event", true, {"ev"})}}});
    } else if (p == "/apis/coordination.k8s.io/v1") {
        send_json(res, 200,
                  {{"kind", "APIResourceList"},
                   {"apiVersion", "v1"},
                   {"groupVersion", "coordination.k8s.io/v1"},
                   {"resources", {api_resource("leases", "Lease", true)}}});
    } else if (p == "/apis/coordination.k8s.io") {
        Json gv = {{"groupVersion", "coordination.k8s.io/v1"}, {"version", "v1"}};
        send_json(res, 200,
                  {{"kind", "APIGroup"}, {"apiVersion", "v1"}, {"name", "coordination.k8s.io"},
                   {"versions", {gv}}, {"preferredVersion", gv}});
    } else if (p == "/healthz" || p == "/readyz" || p == "/livez") {
        res.set_content("ok", "text/plain");
    } else {
        return false;
    }
    return true;
}

void Api::handle(const Req& req, Res& res) {
    if (gate(req, res)) return;
    if (req.path.rfind("/_test/", 0) == 0) return handle_admin(req, res);
    if (req.method == "GET" && handle_discovery(req, res)) return;
    Target t;
    std::string error;
    if (!parse_target(split_path(req.path), t, error))
        return send_error(res, 404, "NotFound", error);
    const Kind& kind = *t.kind;
    if (t.name.empty()) {
        if (req.method == "GET") return is_watch(req) ? watch(kind, t.ns, req, res)
                                                      : list(kind, t.ns, req, res);
        if (req.method == "POST") {
            Json body = Json::parse(req.body, nullptr, false);
            if (body.is_discarded() || !body.is_object())
                return send_error(res, 400, "BadRequest", "request body is not a JSON object");
            if (kind.namespaced) {
                if (t.ns.empty()) return send_error(res, 405, "MethodNotAllowed",
                                                    "create needs a namespace in the path");
                body["metadata"]["namespace"] = t.ns;
            }
            if (body.contains("metadata") && body["metadata"].is_object())
                body["metadata"].erase("resourceVersion");
            if (auto invalid = validate_object(kind.name, body); !invalid.empty())
                return send_error(res, 422, "Invalid", kind.name + " is invalid: " + invalid);
            auto out = m_store.create(kind, std::move(body));
            return out.ok() ? send_json(res, 201, *out.value) : send_error(res, out.error);
        }
        return send_error(res, 405, "MethodNotAllowed", req.method + " on a collection");
    }
    if (kind.namespaced && t.ns.empty())
        return send_error(res, 404, "NotFound", "namespaced resource needs a namespace");
    if (req.method == "GET") {
        auto out = m_store.get(kind, t.ns, t.name);
        if (!out.ok()) return send_error(res, out.error);
        if (wants_table(req.get_header_value("Accept")))
            return send_json(res, 200, make_table(kind, {&*out.value}));
        return send_json(res, 200, *out.value);
    }
    if (req.method == "DELETE") {
        auto out = m_store.remove(kind, t.ns, t.name);
        return out.ok() ? send_json(res, 200, *out.value) : send_error(res, out.error);
    }
    if (req.method == "PUT" || req.method == "PATCH")
        return write(kind, t.ns, t.name, t.status, req, res);
    send_error(res, 405, "MethodNotAllowed", req.method + " is not supported here");
}

void Api::write(const Kind& kind, const std::string& ns, const std::string& name,
                bool status_sub, const Req& req, Res& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return send_error(res, 400, "BadRequest", "request body is not JSON");
    const std::string content_type = req.get_header_value("Content-Type");
    if (req.method == "PATCH") ++m_patches;
    auto out = m_store.update(kind, ns, name, [&](const Json& current) -> Outcome<Json> {
        Json next;
        if (req.method == "PUT") {
            if (!body.is_object()) return Outcome<Json>::fail(400, "BadRequest", "not an object");
            next = body;
        } else {
            std::string err;
            auto patched = apply_patch(current, body, content_type, err);
            if (!patched) {
                if (err.rfind("415", 0) == 0)
                    return Outcome<Json>::fail(415, "UnsupportedMediaType", err.substr(4));
                return Outcome<Json>::fail(422, "Invalid", err);
            }
            next = std::move(*patched);
        }
        // The main resource ignores status changes; /status ignores everything but status.
        if (status_sub) {
            Json keep = current;
            if (next.contains("status")) keep["status"] = next["status"];
            if (next.contains("metadata") && next["metadata"].contains("resourceVersion"))
                keep["metadata"]["resourceVersion"] = next["metadata"]["resourceVersion"];
            next = std::move(keep);
        } else if (current.contains("status")) {
            next["status"] = current["status"];
        } else {
            next.erase("status");
        }
        if (next.contains("metadata") && next["metadata"].contains("labels")) {
            for (const auto& [k, v] : next["metadata"]["labels"].items())
                if (!v.is_string())
                    return Outcome<Json>::fail(422, "Invalid",
                                               "metadata.labels." + k + ": must be a string");
        }
        if (auto invalid = validate_object(kind.name, next); !invalid.empty())
            return Outcome<Json>::fail(422, "Invalid", kind.name + " is invalid: " + invalid);
        return {std::move(next)};
    });
    if (!out.ok()) {
        if (out.error.code == 409) ++m_conflicts;
        return send_error(res, out.error);
    }
    send_json(res, 200, *out.value);
}

void Api::list(const Kind& kind, const std::string& ns, const Req& req, Res& res) {
    std::string error;
    auto sel = parse_selector(req.get_param_value("labelSelector"),
                              req.get_param_value("fieldSelector"), error);
    if (!sel) return send_error(res, 400, "BadRequest", error);
    std::size_t limit = 0;
    if (req.has_param("limit")) {
        try {
            long l = std::stol(req.get_param_value("limit"));
            limit = l > 0 ? static_cast<std::size_t>(l) : 0;
        } catch (...) {
            return send_error(res, 400, "BadRequest", "limit must be a number");
        }
    }
    std::string start;
    std::uint64_t list_rv = 0;
    const std::string cont = req.get_param_value("continue");
    if (!cont.empty()) {
        auto colon = cont.find(':');
        try {
            if (colon == std::string::npos) throw std::invalid_argument("token");
            list_rv = std::stoull(cont.substr(0, colon));
        } catch (...) {
            return send_error(res, 400, "BadRequest", "invalid continue token");
        }
        if (!unhex(cont.substr(colon + 1), start))
            return send_error(res, 400, "BadRequest", "invalid continue token");
        if (list_rv < m_store.compacted_to())
            return send_error(res, 410, "Expired",
                              "The provided continue parameter is too old to display a "
                              "consistent list result. You can start a new list without the "
                              "continue parameter.");
    }
    auto page = m_store.list(kind, ns, start, limit,
                             [&](const Json& o) { return sel->empty() || sel->matches(o); });
    if (cont.empty()) list_rv = page.rv;
    Json meta = {{"resourceVersion", std::to_string(list_rv)}};
    if (page.more) meta["continue"] = std::to_string(list_rv) + ":" + hex(page.last_key);
    if (wants_table(req.get_header_value("Accept"))) {
        std::vector<const Json*> objects;
        for (const auto& item : page.items) objects.push_back(item.get());
        return send_json(res, 200, make_table(kind, objects, meta));
    }
    // Items are serialised once each, not copied into a JSON array first.
    std::string out = R"({"kind":")" + list_kind(kind) + R"(","apiVersion":")" +
                      kind.api_version + R"(","metadata":)" + meta.dump() + R"(,"items":[)";
    bool first = true;
    for (const auto& item : page.items) {
        if (!first) out += ',';
        first = false;
        out += item->dump();
    }
    out += "]}";
    res.status = 200;
    res.set_content(std::move(out), "application/json");
}

void Api::watch(const Kind& kind, const std::string& ns, const Req& req, Res& res) {
    std::string error;
    auto sel = parse_selector(req.get_param_value("labelSelector"),
                              req.get_param_value("fieldSelector"), error);
    if (!sel) return send_error(res, 400, "BadRequest", error);
    struct State {
        const Kind* kind;
        std::string ns;
        Selector sel;
        std::uint64_t cursor = 0;
        bool bookmarks = false;
        bool expired = false;
        bool table = false;  // event objects as one-row Tables (kubectl's human output)
        std::vector<std::string> initial;  // synthetic ADDED lines for RV "" / "0"
        std::size_t initial_pos = 0;
        Clock::time_point deadline, next_bookmark;
        long drop_generation = 0;
    };
    auto st = std::make_shared<State>();
    st->kind = &kind;
    st->ns = ns;
    st->sel = *sel;
    const std::string bm = req.get_param_value("allowWatchBookmarks");
    st->bookmarks = bm == "true" || bm == "1";
    st->table = wants_table(req.get_header_value("Accept"));
    auto event_line = [st](const std::string& type, const Json& object) {
        const Json& out = st->table ? make_table(*st->kind, {&object}) : object;
        return Json{{"type", type}, {"object", out}}.dump() + "\n";
    };
    int timeout_s = m_settings.default_watch_timeout_s;
    if (req.has_param("timeoutSeconds")) {
        try {
            timeout_s = std::stoi(req.get_param_value("timeoutSeconds"));
        } catch (...) {
            return send_error(res, 400, "BadRequest", "timeoutSeconds must be a number");
        }
    }
    const auto now = Clock::now();
    st->deadline = now + std::chrono::seconds(std::max(0, timeout_s));
    st->next_bookmark = now + std::chrono::milliseconds(m_bookmark_ms.load());
    st->drop_generation = m_drop_generation.load();
    auto matches = [st](const Json& o) {
        if (st->kind->namespaced && !st->ns.empty()) {
            auto m = o.find("metadata");
            if (m == o.end() || m->value("namespace", "") != st->ns) return false;
        }
        return st->sel.empty() || st->sel.matches(o);
    };
    const std::string rv = req.get_param_value("resourceVersion");
    if (rv.empty() || rv == "0") {
        auto page = m_store.list(kind, ns, "", 0, matches);
        st->cursor = page.rv;
        for (const auto& o : page.items)
            st->initial.push_back(event_line("ADDED", *o));
    } else {
        try {
            st->cursor = std::stoull(rv);
        } catch (...) {
            return send_error(res, 400, "BadRequest", "invalid resourceVersion " + rv);
        }
        std::vector<Event> probe;
        st->expired = !m_store.events_after(kind, st->cursor, probe);
    }
    // Counts open streams; the provider (and with it the guard) dies with the connection.
    struct Guard {
        explicit Guard(std::atomic<long>& n) : count(n) { ++count; }
        Guard(const Guard&) = delete;
        Guard& operator=(const Guard&) = delete;
        ~Guard() { --count; }
        std::atomic<long>& count;
    };
    auto guard = std::make_shared<Guard>(m_open_watches);
    res.status = 200;
    // The watch media type of a real server; it also keeps httplib from gzip-buffering the
    // stream (it compresses plain application/json for clients that accept gzip, like kubectl).
    res.set_chunked_content_provider(
        "application/json;stream=watch",
        [this, st, guard, matches, event_line](std::size_t, httplib::DataSink& sink) {
            if (m_stopping || m_drop_generation.load() != st->drop_generation) return false;
            auto send = [&](const std::string& line) { return sink.write(line.data(), line.size()); };
            while (st->initial_pos < st->initial.size()) {
                if (!send(st->initial[st->initial_pos++])) return false;
            }
            std::vector<Event> events;
            const std::uint64_t seen_to = m_store.resource_version();
            if (st->expired || !m_store.events_after(*st->kind, st->cursor, events)) {
                Json status = status_json(
                    {410, "Expired",
                     "too old resource version: " + std::to_string(st->cursor) + " (" +
                         std::to_string(m_store.compacted_to()) + ")"});
                send(Json{{"type", "ERROR"}, {"object", status}}.dump() + "\n");
                sink.done();
                return true;
            }
            for (const auto& e : events) {
                if (e.rv > seen_to) break;  // arrived after we read the RV: next round
                if (matches(*e.object)) {
                    if (!send(event_line(e.type, *e.object)))
                        return false;
                }
            }
            st->cursor = std::max(st->cursor, seen_to);
            const auto now = Clock::now();
            if (now >= st->deadline) {
                sink.done();
                return true;
            }
            if (st->bookmarks && now >= st->next_bookmark) {
                Json obj = {{"kind", st->kind->name},
                            {"apiVersion", st->kind->api_version},
                            {"metadata",
                             {{"resourceVersion", std::to_string(st->cursor)},
                              {"annotations", {{"k8s.io/initial-events-end", "true"}}}}}};
                if (!send(Json{{"type", "BOOKMARK"}, {"object", obj}}.dump() + "\n"))
                    return false;
                st->next_bookmark =
                    now + std::chrono::milliseconds(m_bookmark_ms.load());
            }
            auto until = std::min(st->deadline, now + std::chrono::milliseconds(250));
            if (st->bookmarks) until = std::min(until, st->next_bookmark);
            m_store.wait(st->cursor, until);
            return true;
        });
}

void Api::handle_admin(const Req& req, Res& res) {
    const std::string& p = req.path;
    Json body = req.body.empty() ? Json::object() : Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return send_error(res, 400, "BadRequest", "body is not JSON");
    if (p == "/_test/seed" && req.method == "POST") {
        if (!body.contains("items") || !body["items"].is_array())
            return send_error(res, 400, "BadRequest", "expected {\"items\": [...]}");
        std::size_t n = 0;
        for (auto& item : body["items"]) {
            const std::string kind_name = item.value("kind", "");
            const Kind* kind = nullptr;
            for (const auto& k : kinds())
                if (k.name == kind_name) kind = &k;
            if (!kind) return send_error(res, 400, "BadRequest", "unknown kind '" + kind_name + "'");
            if (item.contains("metadata") && item["metadata"].is_object())
                item["metadata"].erase("resourceVersion");
            auto out = m_store.create(*kind, std::move(item), true);
            if (!out.ok()) return send_error(res, out.error);
            ++n;
        }
        return send_json(res, 200, {{"count", n},
                                    {"resourceVersion", std::to_string(m_store.resource_version())}});
    }
    if (p == "/_test/compact" && req.method == "POST")
        return send_json(res, 200, {{"compactedTo", std::to_string(m_store.compact())}});
    if (p == "/_test/faults" && req.method == "POST") {
        Fault f;
        try {
            f.status = body.value("status", 500);
            f.count = body.value("count", 1L);
            f.retry_after = body.value("retryAfter", -1.0);
            f.path = body.value("path", "");
            f.method = body.value("method", "");
            f.drop = body.value("drop", false);
            if (body.contains("watch")) f.watch = body["watch"].get<bool>() ? 1 : 0;
        } catch (const std::exception& e) {
            return send_error(res, 400, "BadRequest", std::string("bad fault: ") + e.what());
        }
        std::lock_guard lk(m_faults_mu);
        m_faults.push_back(f);
        return send_json(res, 200, {{"faults", m_faults.size()}});
    }
    if (p == "/_test/faults" && req.method == "DELETE") {
        std::lock_guard lk(m_faults_mu);
        m_faults.clear();
        return send_json(res, 200, {{"faults", 0}});
    }
    if (p == "/_test/drop-watches" && req.method == "POST") {
        long open = m_open_watches.load();
        ++m_drop_generation;
        m_store.notify_all();
        return send_json(res, 200, {{"dropped", open}});
    }
    if (p == "/_test/settings" && req.method == "POST") {
        if (body.contains("bookmarkIntervalMs"))
            m_bookmark_ms = std::max(10, body["bookmarkIntervalMs"].get<int>());
        return send_json(res, 200, {{"bookmarkIntervalMs", m_bookmark_ms.load()}});
    }
    if (p == "/_test/stats" && req.method == "GET") {
        Json requests = Json::object();
        {
            std::lock_guard lk(m_stats_mu);
            for (const auto& [m, n] : m_requests) requests[m] = n;
        }
        Json objects = Json::object();
        for (const auto& [k, n] : m_store.counts()) objects[k] = n;
        std::size_t pending;
        {
            std::lock_guard lk(m_faults_mu);
            pending = m_faults.size();
        }
        return send_json(res, 200,
                         {{"resourceVersion", std::to_string(m_store.resource_version())},
                          {"compactedTo", std::to_string(m_store.compacted_to())},
                          {"requests", requests},
                          {"watches", m_open_watches.load()},
                          {"faultsServed", m_faults_served.load()},
                          {"faultsPending", pending},
                          {"patches", m_patches.load()},
                          {"conflicts", m_conflicts.load()},
                          {"objects", objects}});
    }
    send_error(res, 404, "NotFound", "no admin endpoint " + req.method + " " + p);
}

}  // namespace kstest
