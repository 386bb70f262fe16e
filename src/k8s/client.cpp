// The HTTP side of the client: libcurl easy handles from a small pool (each keeps its TLS
// connection alive), bearer token (re-read from its file), QPS budget, retries.
#include <curl/curl.h>

#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "common/log.h"
#include "k8s/client.h"

namespace ks::k8s {

namespace {

const ks::log::Logger logger("k8s");

using SteadyClock = std::chrono::steady_clock;

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Sleeps `seconds`, waking early when `stop` is set. Returns false when stopped.
bool sleep_for(double seconds, const std::atomic<bool>* stop) {
    const auto until = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                std::chrono::duration<double>(seconds));
    while (SteadyClock::now() < until) {
        if (stop && stop->load()) return false;
        auto left = until - SteadyClock::now();
        std::this_thread::sleep_for(std::min<SteadyClock::duration>(left, std::chrono::milliseconds(50)));
    }
    return !(stop && stop->load());
}

struct Transfer {
    std::string body;
    std::optional<double> retry_after;
    const std::atomic<bool>* stop = nullptr;
    // Streaming: called with each chunk; returns false to abort.
    std::function<bool(const char*, std::size_t)> on_data;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t len = size * n;
    if (t->on_data) return t->on_data(data, len) ? len : 0;
    t->body.append(data, len);
    return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t len = size * n;
    std::string_view line(data, len);
    constexpr std::string_view name = "retry-after:";
    if (line.size() > name.size()) {
        bool match = true;
        for (size_t i = 0; i < name.size() && match; ++i)
            match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
        if (match) t->retry_after = parse_retry_after(line.substr(name.size()));
    }
    return len;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    return t->stop && t->stop->load() ? 1 : 0;
}

std::string status_message(const Response& r) {
    Json j = r.json();
    if (j.is_object() && j.contains("message") && j["message"].is_string())
        return j["message"].get<std::string>();
    return r.body.substr(0, 200);
}

}  // namespace

Json Response::json() const {
    Json j = Json::parse(body, nullptr, false);
    return j.is_discarded() ? Json(nullptr) : j;
}

struct Client::Impl {
    explicit Impl(const ClientConfig& c) : bucket(c.qps, c.burst) {}
    ~Impl() {
        for (CURL* h : pool) curl_easy_cleanup(h);
    }

    CURL* acquire() {
        {
            std::lock_guard lk(mu);
            if (!pool.empty()) {
                CURL* h = pool.back();
                pool.pop_back();
                return h;
            }
        }
        return curl_easy_init();
    }
    void release(CURL* h) {
        curl_easy_reset(h);  // keeps the connection cache
        std::lock_guard lk(mu);
        pool.push_back(h);
    }

    std::string bearer(const ClientConfig& c) {
        if (c.token_file.empty()) return c.token;
        std::lock_guard lk(mu);
        const auto now = SteadyClock::now();
        if (token.empty() || now - token_read >= c.token_reload) {
            std::ifstream in(c.token_file);
            std::stringstream ss;
            ss << in.rdbuf();
            std::string t = ss.str();
            while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
            if (in && !t.empty()) {
                token = t;
                token_read = now;
            } else if (token.empty()) {
                logger.warning("cannot read token file ", c.token_file);
            }
        }
        return token;
    }

    std::mutex mu;
    std::vector<CURL*> pool;
    TokenBucket bucket;
    std::string token;
    SteadyClock::time_point token_read{};
};

Client::Client(ClientConfig config) : m_config(std::move(config)) {
    global_init();
    m_impl = std::make_unique<Impl>(m_config);
}

Client::~Client() = default;

namespace {

// One HTTP exchange on `h`. Returns the curl code; fills status.
CURLcode perform(CURL* h, const ClientConfig& c, const std::string& bearer,
                 const std::string& method, const std::string& url, const std::string& body,
                 const std::string& content_type, Transfer& t, long timeout_ms, long& status) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, c.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(c.connect_timeout.count() * 1000));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    if (c.insecure_skip_tls_verify) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    curl_blob ca{}, cert{}, key{};
    if (!c.ca_data.empty()) {
        ca = {const_cast<char*>(c.ca_data.data()), c.ca_data.size(), CURL_BLOB_NOCOPY};
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
    } else if (!c.ca_file.empty()) {
        curl_easy_setopt(h, CURLOPT_CAINFO, c.ca_file.c_str());
    }
    if (!c.client_cert_data.empty()) {
        cert = {const_cast<char*>(c.client_cert_data.data()), c.client_cert_data.size(),
                CURL_BLOB_NOCOPY};
        key = {const_cast<char*>(c.client_key_data.data()), c.client_key_data.size(),
               CURL_BLOB_NOCOPY};
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    } else if (!c.client_cert_file.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, c.client_cert_file.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, c.client_key_file.c_str());
    }
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    if (!bearer.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + bearer).c_str());
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
        headers = curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
    CURLcode rc = curl_easy_perform(h);
    status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    return rc;
}

}  // namespace

Result<Response> Client::request(const std::string& method, const std::string& path,
                                 const std::string& body, const std::string& content_type,
                                 const std::atomic<bool>* stop) {
    Backoff backoff(0.8, 30.0, 2.0, 0.2, std::random_device{}());
    const std::string url = m_config.server + path;
    std::string last_error;
    for (int attempt = 0;; ++attempt) {
        const double wait = m_impl->bucket.reserve().count();
        if (wait > 0) {
            m_stats.throttled_ms += static_cast<long>(wait * 1000);
            if (!sleep_for(wait, stop)) return Error{method + " " + path + ": stopped"};
        }
        ++m_stats.requests;
        Transfer t;
        t.stop = stop;
        long status = 0;
        CURL* h = m_impl->acquire();
        if (!h) return Error{"curl_easy_init failed"};
        CURLcode rc = perform(h, m_config, m_impl->bearer(m_config), method, url, body,
                              content_type, t,
                              static_cast<long>(m_config.request_timeout.count() * 1000), status);
        m_impl->release(h);
        if (stop && stop->load()) return Error{method + " " + path + ": stopped"};
        Response r;
        if (rc == CURLE_OK) {
            r.status = status;
            r.body = std::move(t.body);
            r.retry_after = t.retry_after;
            if (!is_retryable(status) || attempt >= m_config.max_retries) {
                if (!r.ok()) ++m_stats.errors;
                return r;
            }
            last_error = "HTTP " + std::to_string(status) + ": " + status_message(r);
        } else {
            ++m_stats.errors;
            last_error = curl_easy_strerror(rc);
            if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
                rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_UNSUPPORTED_PROTOCOL ||
                rc == CURLE_URL_MALFORMAT)
                return Error{method + " " + url + ": " + last_error};  // retrying cannot help
            if (attempt >= m_config.max_retries)
                return Error{method + " " + url + ": " + last_error + " (after " +
                             std::to_string(attempt + 1) + " attempts)"};
        }
        ++m_stats.retries;
        const double delay = retry_delay(r.status, r.retry_after, backoff);
        logger.verbose(method, " ", path, ": ", last_error, "; retry in ", delay, " s");
        if (!sleep_for(delay, stop)) return Error{method + " " + path + ": stopped"};
    }
}

Result<std::optional<Json>> Client::get(const std::string& path) {
    auto r = request("GET", path);
    if (!r) return Error{r.error()};
    if (r->status == 404) return std::optional<Json>{};
    if (!r->ok())
        return Error{"GET " + path + ": HTTP " + std::to_string(r->status) + ": " + status_message(*r)};
    Json j = r->json();
    if (!j.is_object()) return Error{"GET " + path + ": response is not a JSON object"};
    return std::optional<Json>{std::move(j)};
}

Result<ObjectList> Client::list(const std::string& path, const ListOptions& options,
                                const std::atomic<bool>* stop) {
    ObjectList out;
    std::string cont;
    do {
        std::vector<std::pair<std::string, std::string>> q;
        if (!options.label_selector.empty()) q.emplace_back("labelSelector", options.label_selector);
        if (!options.field_selector.empty()) q.emplace_back("fieldSelector", options.field_selector);
        if (options.limit > 0) q.emplace_back("limit", std::to_string(options.limit));
        if (!cont.empty()) q.emplace_back("continue", cont);
        auto r = request("GET", with_query(path, q), "", "application/json", stop);
        if (!r) return Error{r.error()};
        if (!r->ok())
            return Error{std::to_string(r->status) + ": LIST " + path + ": " + status_message(*r)};
        Json page = Json::parse(r->body, nullptr, false);
        if (page.is_discarded() || !page.is_object() || !page.contains("items"))
            return Error{"LIST " + path + ": response is not a list"};
        ++out.pages;
        const Json& meta = page.contains("metadata") ? page["metadata"] : Json::object();
        if (out.pages == 1) out.resource_version = meta.value("resourceVersion", "");
        cont = meta.value("continue", "");
        if (page["items"].is_array())
            for (auto& item : page["items"]) out.items.push_back(std::move(item));
    } while (!cont.empty());
    return out;
}

Result<WatchResult> Client::watch(const std::string& path, const ListOptions& options,
                                  const WatchOptions& wo,
                                  const std::function<bool(const WatchEvent&)>& on_event,
                                  const std::atomic<bool>* stop) {
    std::vector<std::pair<std::string, std::string>> q = {{"watch", "1"}};
    if (!options.label_selector.empty()) q.emplace_back("labelSelector", options.label_selector);
    if (!options.field_selector.empty()) q.emplace_back("fieldSelector", options.field_selector);
    if (!wo.resource_version.empty()) q.emplace_back("resourceVersion", wo.resource_version);
    if (wo.bookmarks) q.emplace_back("allowWatchBookmarks", "true");
    q.emplace_back("timeoutSeconds", std::to_string(wo.timeout_s));
    const std::string url = m_config.server + with_query(path, q);

    WatchResult result;
    result.resource_version = wo.resource_version;
    const double wait = m_impl->bucket.reserve().count();
    if (wait > 0 && !sleep_for(wait, stop)) {
        result.end = WatchEnd::Stopped;
        return result;
    }
    ++m_stats.requests;

    std::string pending, error_body, parse_error;
    bool callback_stop = false;
    CURL* h = m_impl->acquire();
    if (!h) return Error{"curl_easy_init failed"};
    Transfer t;
    t.stop = stop;
    t.on_data = [&](const char* data, std::size_t len) {
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        if (code != 200) {
            error_body.append(data, len);
            return true;
        }
        pending.append(data, len);
        std::size_t start = 0, nl;
        while ((nl = pending.find('\n', start)) != std::string::npos) {
            std::string_view line(pending.data() + start, nl - start);
            start = nl + 1;
            if (line.find_first_not_of(" \r\t") == std::string_view::npos) continue;
            auto ev = parse_watch_event(line);
            if (!ev) {
                parse_error = ev.error();
                return false;
            }
            if (ev->type == EventType::Error) {
                if (ev->error_code() == 410) {
                    result.end = WatchEnd::Expired;
                    return false;
                }
                parse_error = "watch ERROR event: " + ev->object.value("message", ev->object.dump());
                return false;
            }
            if (auto rv = ev->resource_version(); !rv.empty()) result.resource_version = rv;
            if (ev->type != EventType::Bookmark) ++result.events;
            if (!on_event(*ev)) {
                callback_stop = true;
                return false;
            }
        }
        pending.erase(0, start);
        return true;
    };
    long status = 0;
    // The server ends the stream at timeoutSeconds; the client allows a margin on top.
    CURLcode rc = perform(h, m_config, m_impl->bearer(m_config), "GET", url, "",
                          "application/json", t, (wo.timeout_s + 30) * 1000L, status);
    m_impl->release(h);

    if (callback_stop || (stop && stop->load())) {
        result.end = WatchEnd::Stopped;
        return result;
    }
    if (result.end == WatchEnd::Expired) return result;
    if (!parse_error.empty()) {
        ++m_stats.errors;
        return Error{parse_error};
    }
    if (rc == CURLE_OK && status == 410) {
        result.end = WatchEnd::Expired;
        return result;
    }
    if (rc == CURLE_OK && status != 200) {
        ++m_stats.errors;
        const std::string message = status_message(Response{status, error_body, {}});
        if (is_retryable(status)) {
            // The caller decides when to watch again; it needs the server's Retry-After for that.
            result.end = WatchEnd::Refused;
            result.status = status;
            result.retry_after = t.retry_after;
            result.message = message;
            return result;
        }
        return Error{"WATCH " + path + ": HTTP " + std::to_string(status) + ": " + message};
    }
    if (rc != CURLE_OK) {
        // A dropped connection mid-stream: the caller re-watches from the last RV.
        ++m_stats.errors;
        if (status == 200) {
            logger.verbose("watch ", path, " dropped: ", curl_easy_strerror(rc));
            return result;
        }
        return Error{"WATCH " + path + ": " + curl_easy_strerror(rc)};
    }
    return result;
}

Result<Response> Client::patch(const std::string& path, const Json& body,
                               const std::string& content_type) {
    return request("PATCH", path, body.dump(), content_type);
}

// ---- nodes -------------------------------------------------------------------------------------

namespace {
std::string node_path(const std::string& name) { return "/api/v1/nodes/" + name; }

Result<Json> object_or_error(Result<Response> r, const std::string& what) {
    if (!r) return Error{what + ": " + r.error()};
    if (!r->ok())
        return Error{what + ": HTTP " + std::to_string(r->status) + ": " + status_message(*r)};
    Json j = r->json();
    if (!j.is_object()) return Error{what + ": response is not a JSON object"};
    return j;
}
}  // namespace

Result<std::optional<Json>> Client::get_node(const std::string& name) {
    return get(node_path(name));
}

Result<Json> Client::patch_node_labels(const std::string& name,
                                       const std::map<std::string, std::optional<std::string>>& labels) {
    return object_or_error(patch(node_path(name), labels_merge_patch(labels),
                                 "application/merge-patch+json"),
                           "label node " + name);
}

namespace {
// Read-modify-write of spec.taints: `edit` maps the current list to the new one.
Result<bool> edit_taints(Client& c, const std::string& name,
                         const std::function<Json(const Json&)>& edit) {
    constexpr int kAttempts = 10;
    for (int i = 0; i < kAttempts; ++i) {
        auto node = c.get_node(name);
        if (!node) return Error{"taint node " + name + ": " + node.error()};
        if (!node->has_value()) return Error{"taint node " + name + ": node not found"};
        const Json& n = **node;
        const Json current = n.contains("spec") && n["spec"].contains("taints")
                                 ? n["spec"]["taints"]
                                 : Json::array();
        Json next = edit(current);
        if (next == (current.is_array() ? current : Json::array())) return false;
        const std::string rv = n["metadata"].value("resourceVersion", "");
        auto r = c.patch(node_path(name), taints_patch(next, rv),
                         "application/strategic-merge-patch+json");
        if (!r) return Error{"taint node " + name + ": " + r.error()};
        if (r->status == 409) continue;  // someone else changed the node: read again
        if (!r->ok())
            return Error{"taint node " + name + ": HTTP " + std::to_string(r->status) + ": " +
                         status_message(*r)};
        return true;
    }
    return Error{"taint node " + name + ": still conflicting after " +
                 std::to_string(kAttempts) + " attempts"};
}
}  // namespace

Result<bool> Client::add_node_taint(const std::string& name, const Taint& taint) {
    return edit_taints(*this, name, [&](const Json& t) { return taints_with(t, taint); });
}

Result<bool> Client::remove_node_taint(const std::string& name, const std::string& key,
                                       const std::string& effect) {
    return edit_taints(*this, name, [&](const Json& t) { return taints_without(t, key, effect); });
}

Result<Json> Client::set_node_condition(const std::string& name, const Condition& condition) {
    return object_or_error(patch(node_path(name) + "/status", condition_patch(condition),
                                 "application/strategic-merge-patch+json"),
                           "condition on node " + name);
}

Result<Json> Client::set_node_unschedulable(const std::string& name, bool unschedulable) {
    return object_or_error(patch(node_path(name), unschedulable_patch(unschedulable),
                                 "application/strategic-merge-patch+json"),
                           "cordon node " + name);
}

Result<Json> Client::patch_node_annotations(const std::string& name,
                                            const std::map<std::string, std::optional<std::string>>& annotations) {
    return object_or_error(patch(node_path(name), annotations_merge_patch(annotations),
                                 "application/merge-patch+json"),
                           "annotate node " + name);
}

// ---- events --------------------------------------------------------------------------------------

Result<Json> Client::create_node_event(const NodeEvent& event) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    const std::string what = "event " + event.reason + " on node " + event.node;
    auto r = request("POST", "/api/v1/namespaces/default/events", node_event_json(event, ns.count()).dump());
    if (!r) return Error{what + ": " + r.error()};
    if (!r->ok()) return Error{what + ": HTTP " + std::to_string(r->status) + ": " + status_message(*r)};
    return r->json();
}

// ---- leases --------------------------------------------------------------------------------------

namespace {
std::string leases_path(const std::string& ns) {
    return "/apis/coordination.k8s.io/v1/namespaces/" + ns + "/leases";
}
}  // namespace

Result<std::optional<Lease>> Client::get_lease(const std::string& ns, const std::string& name) {
    auto obj = get(leases_path(ns) + "/" + name);
    if (!obj) return Error{obj.error()};
    if (!obj->has_value()) return std::optional<Lease>{};
    auto lease = lease_from_json(**obj);
    if (!lease) return Error{lease.error()};
    return std::optional<Lease>{std::move(*lease)};
}

namespace {
// A lease write: true when done, false on 409 (another replica created or wrote it first).
Result<bool> write_lease(Client& c, const std::string& method, const std::string& path,
                         const Lease& lease) {
    const std::string what = (method == "POST" ? "create lease " : "update lease ") + lease.ns +
                             "/" + lease.name;
    auto r = c.request(method, path, lease_to_json(lease).dump());
    if (!r) return Error{what + ": " + r.error()};
    if (r->status == 409) return false;
    if (!r->ok())
        return Error{what + ": HTTP " + std::to_string(r->status) + ": " + status_message(*r)};
    return true;
}
}  // namespace

Result<bool> Client::create_lease(const Lease& lease) {
    Lease l = lease;
    l.resource_version.clear();
    return write_lease(*this, "POST", leases_path(l.ns), l);
}

Result<bool> Client::update_lease(const Lease& lease) {
    return write_lease(*this, "PUT", leases_path(lease.ns) + "/" + lease.name, lease);
}

}  // namespace ks::k8s
