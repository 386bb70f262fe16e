// Kubernetes REST client (libcurl + nlohmann/json): configuration (kubeconfig or in-cluster),
// GET / paginated LIST / WATCH, node label, taint and condition patches, Leases, and an informer
// (list then watch, relist on 410) that kubeslurm-sync uses directly.
//
// Errors are values: nothing in this header throws. The client is thread-safe: one Client may be
// shared by an informer thread and the thread that patches nodes.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace ks::config {
class Config;
}

namespace ks::k8s {

using Json = nlohmann::json;

// ---- configuration ---------------------------------------------------------------------------

struct ClientConfig {
    std::string server;                 // "https://host:port" (no trailing slash)
    std::string ca_file;                // PEM bundle path; empty: system store (or ca_data)
    std::string ca_data;                // PEM text (already base64-decoded)
    std::string token;                  // bearer token (static)
    std::string token_file;             // bearer token file, re-read every token_reload
    std::string client_cert_file, client_key_file;  // mutual TLS (files) ...
    std::string client_cert_data, client_key_data;  // ... or PEM text (decoded)
    bool insecure_skip_tls_verify = false;          // only when the admin says so explicitly
    double qps = 5.0;                   // client-side request budget (token bucket rate)
    int burst = 10;                     // bucket size
    std::chrono::seconds token_reload{60};
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds request_timeout{30};   // non-watch requests
    int max_retries = 5;                // retries of 429 / 5xx / transport errors per request
    std::string user_agent = "kubeslurm/" KUBESLURM_VERSION;
};

// Parses a kubeconfig (YAML or JSON) and resolves `context` (empty: current-context). Relative
// file paths are resolved against the directory of `origin` when it is a path.
Result<ClientConfig> parse_kubeconfig(std::string_view text, const std::string& origin,
                                      const std::string& context = "");
Result<ClientConfig> load_kubeconfig(const std::string& path, const std::string& context = "");

// In-cluster: KUBERNETES_SERVICE_HOST/PORT, the service account token file (re-read every
// minute: bound tokens rotate) and CA. `sa_dir` is the directory holding token and ca.crt.
Result<ClientConfig> in_cluster_config(
    const std::string& sa_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

// From kubeslurm.conf: KubeConfig (empty: in-cluster), KubeInsecureSkipTLSVerify, KubeQPS,
// KubeBurst.
Result<ClientConfig> config_from(const ks::config::Config& conf);

// ---- retry maths (pure, unit tested) ---------------------------------------------------------

// Exponential backoff 0.8 s -> 30 s, x2, with +-jitter fraction (deterministic given the seed).
class Backoff {
public:
    Backoff(double initial_s = 0.8, double max_s = 30.0, double factor = 2.0, double jitter = 0.2,
            unsigned seed = 0);
    double next();       // the delay to wait now, in seconds; grows for the following call
    void reset();        // after a success
    double current() const { return m_current; }  // un-jittered next delay

private:
    double m_initial, m_max, m_factor, m_jitter, m_current;
    unsigned long long m_state;
};

// Retry-After header value: delta-seconds or an HTTP-date (relative to `now`). nullopt when
// absent or unparsable; negative results clamp to 0.
std::optional<double> parse_retry_after(std::string_view value,
                                        std::chrono::system_clock::time_point now =
                                            std::chrono::system_clock::now());

// Whether a response status is worth retrying (429 and 5xx; transport errors use status 0).
bool is_retryable(long status);

// Delay before the next attempt: Retry-After when given (capped at 60 s), else the backoff.
double retry_delay(long status, std::optional<double> retry_after, Backoff& backoff);

// Token bucket: `rate` tokens per second, at most `burst` stored. reserve() takes one token and
// returns how long the caller must wait before using it (0 when one was available).
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;
    TokenBucket(double rate, int burst, Clock::time_point now = Clock::now());
    std::chrono::duration<double> reserve(Clock::time_point now = Clock::now());

private:
    std::mutex m_mu;
    double m_rate, m_burst, m_tokens;
    Clock::time_point m_last;
};

// ---- patch bodies (pure, unit tested) --------------------------------------------------------

struct Taint {
    std::string key, value, effect;  // effect: NoSchedule | PreferNoSchedule | NoExecute
    std::string time_added;          // RFC 3339, only for NoExecute; may be empty
};

struct Condition {
    std::string type;                // e.g. GPUHealthCheckFailed
    std::string status;              // "True" | "False" | "Unknown"
    std::string reason, message;
    std::string last_transition_time, last_heartbeat_time;  // RFC 3339; empty: now
};

// {"metadata":{"labels":{k: v}}}; a nullopt value removes the label.
Json labels_merge_patch(const std::map<std::string, std::optional<std::string>>& labels);
// Node taints (JSON array, may be null) with `taint` added or replacing the same key+effect.
Json taints_with(const Json& taints, const Taint& taint);
// Node taints without `key` (and `effect` when not empty).
Json taints_without(const Json& taints, const std::string& key, const std::string& effect = "");
// Strategic-merge patch replacing spec.taints, guarded by metadata.resourceVersion.
Json taints_patch(const Json& taints, const std::string& resource_version);
// Strategic-merge patch for /status: conditions merged by key `type`.
Json condition_patch(const Condition& condition);
Json unschedulable_patch(bool unschedulable);
std::optional<Taint> find_taint(const Json& node, const std::string& key);
// A merge patch setting (or, for nullopt, removing) node annotations.
Json annotations_merge_patch(const std::map<std::string, std::optional<std::string>>& annotations);
std::optional<Condition> find_condition(const Json& node, const std::string& type);
std::string rfc3339_now();

// ---- watch events ------------------------------------------------------------------------------

enum class EventType { Added, Modified, Deleted, Bookmark, Error };
const char* event_type_name(EventType type);

struct WatchEvent {
    EventType type = EventType::Added;
    Json object;                     // the object; a Status for Error
    std::string resource_version() const;  // object.metadata.resourceVersion
    long error_code() const;         // Status.code for Error events, else 0
};

// One line of a watch stream (JSON object {"type","object"}). Bad input is an error.
Result<WatchEvent> parse_watch_event(std::string_view line);

// ---- the client --------------------------------------------------------------------------------

struct Response {
    long status = 0;                 // HTTP status
    std::string body;
    std::optional<double> retry_after;  // Retry-After seconds when present
    Json json() const;               // parsed body, null when not JSON
    bool ok() const { return status >= 200 && status < 300; }
};

struct ListOptions {
    std::string label_selector;      // e.g. "app=slurmd,tier!=x"
    std::string field_selector;      // e.g. "metadata.name=n1"
    int limit = 500;                 // page size (0: no pagination)
};

// A full (all pages) list: items plus the list resourceVersion to watch from.
struct ObjectList {
    std::vector<Json> items;
    std::string resource_version;
    int pages = 0;
};

struct WatchOptions {
    std::string resource_version;    // start after this RV
    int timeout_s = 300;             // server-side timeoutSeconds
    bool bookmarks = true;           // allowWatchBookmarks
};

// How one watch call ended.
enum class WatchEnd {
    Closed,     // the server ended the stream (timeout) or the connection dropped: re-watch
    Expired,    // 410 Gone (status or ERROR event): relist
    Stopped,    // the stop flag was set or the callback returned false
    Refused,    // a retryable error status (429, 5xx): watch again after `retry_after` or a backoff
};

struct WatchResult {
    WatchEnd end = WatchEnd::Closed;
    std::string resource_version;    // last RV seen (events and bookmarks)
    long events = 0;                 // events delivered (bookmarks excluded)
    long status = 0;                 // Refused: the HTTP status
    std::optional<double> retry_after;  // Refused: the server's Retry-After, when given
    std::string message;             // Refused: the message of the server's Status
};

struct Lease {
    std::string ns, name;
    std::string holder;              // spec.holderIdentity
    int duration_s = 15;             // spec.leaseDurationSeconds
    std::string acquire_time, renew_time;  // RFC 3339 with microseconds
    long transitions = 0;            // spec.leaseTransitions
    std::string resource_version;    // metadata.resourceVersion (empty for create)
};

// A core/v1 Event about a Node, recorded as kubelet records node events: in namespace "default",
// involvedObject {kind Node, name, uid = the node name} so that `kubectl describe node` and
// `kubectl get events --field-selector involvedObject.name=N` find it.
struct NodeEvent {
    std::string node;
    std::string type = "Normal";     // Normal | Warning
    std::string reason;              // UpperCamelCase, e.g. SlurmNodeDrained
    std::string message;
    std::map<std::string, std::string> annotations;  // structured details (kubeslurm.io/...)
    std::string component;           // source.component / reportingComponent
    std::string instance;            // reportingInstance (this replica)
};
// The Event object; `unix_ns` names it "<node>.<hex ns>" like client-go's recorder.
Json node_event_json(const NodeEvent& event, long long unix_ns);

struct ClientStats {
    std::atomic<long> requests{0}, retries{0}, errors{0}, throttled_ms{0};
};

class Client {
public:
    explicit Client(ClientConfig config);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    const ClientConfig& config() const { return m_config; }
    const ClientStats& stats() const { return m_stats; }

    // One request with QPS budget and retries (429/5xx honour Retry-After, transport errors back
    // off). Transport failure after retries is an Error; any HTTP status is a Response.
    // `path` includes the query ("/api/v1/nodes?limit=5"). `stop` aborts waits and transfers.
    Result<Response> request(const std::string& method, const std::string& path,
                             const std::string& body = "",
                             const std::string& content_type = "application/json",
                             const std::atomic<bool>* stop = nullptr);

    // GET an object: nullopt on 404.
    Result<std::optional<Json>> get(const std::string& path);
    // All pages of a collection ("/api/v1/nodes", "/api/v1/namespaces/slurm/pods").
    // A 410 on a continue token is an error whose message starts with "410".
    Result<ObjectList> list(const std::string& path, const ListOptions& options = {},
                            const std::atomic<bool>* stop = nullptr);
    // Streams events to `on_event` (return false to stop) until the server closes the stream,
    // 410, the stop flag, or an error (HTTP status other than 410 / transport: Error).
    Result<WatchResult> watch(const std::string& path, const ListOptions& options,
                              const WatchOptions& watch_options,
                              const std::function<bool(const WatchEvent&)>& on_event,
                              const std::atomic<bool>* stop = nullptr);
    // PATCH with the given patch type: "application/merge-patch+json",
    // "application/strategic-merge-patch+json" or "application/json-patch+json".
    Result<Response> patch(const std::string& path, const Json& body,
                           const std::string& content_type);

    // ---- nodes ----
    Result<std::optional<Json>> get_node(const std::string& name);
    Result<Json> patch_node_labels(const std::string& name,
                                   const std::map<std::string, std::optional<std::string>>& labels);
    // Read-modify-write of spec.taints with the node's resourceVersion, retried on 409.
    // Value: whether the node changed (false when the taint was already there / absent).
    Result<bool> add_node_taint(const std::string& name, const Taint& taint);
    Result<bool> remove_node_taint(const std::string& name, const std::string& key,
                                   const std::string& effect = "");
    // Strategic-merge patch of /status (conditions merged by type).
    Result<Json> set_node_condition(const std::string& name, const Condition& condition);
    Result<Json> set_node_unschedulable(const std::string& name, bool unschedulable);
    Result<Json> patch_node_annotations(const std::string& name,
                                        const std::map<std::string, std::optional<std::string>>& annotations);

    // ---- events (core/v1) ----
    Result<Json> create_node_event(const NodeEvent& event);

    // ---- leases (coordination.k8s.io/v1) ----
    Result<std::optional<Lease>> get_lease(const std::string& ns, const std::string& name);
    // false: it already exists (409), someone else created it.
    Result<bool> create_lease(const Lease& lease);
    // PUT guarded by lease.resource_version; false on 409 (someone else wrote it first).
    Result<bool> update_lease(const Lease& lease);

private:
    struct Impl;
    ClientConfig m_config;
    ClientStats m_stats;
    std::unique_ptr<Impl> m_impl;
};

// Lease <-> JSON (exposed for tests).
Json lease_to_json(const Lease& lease);
Result<Lease> lease_from_json(const Json& object);

// Builds "path?k=v&..." with percent-encoding of the values.
std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query);

// ---- informer ---------------------------------------------------------------------------------

struct InformerHandlers {
    std::function<void(const Json& object)> on_add;
    std::function<void(const Json& old_object, const Json& new_object)> on_update;
    std::function<void(const Json& object)> on_delete;
    // After each full list has been applied to the cache (first sync and every relist).
    std::function<void(bool first)> on_synced;
};

struct InformerOptions {
    ListOptions list;
    int watch_timeout_s = 300;       // server-side timeout of each watch call
    std::chrono::seconds resync{0};  // >0: on_update(obj, obj) for every cached object
};

struct InformerStats {
    std::atomic<long> lists{0}, relists{0}, watches{0}, events{0}, bookmarks{0}, errors{0};
};

// List then watch one collection, keep a cache keyed by namespace/name, call the handlers from
// its own thread. Relist on 410; re-watch from the last RV on a closed stream; back off on
// errors. A relist diffs the new list against the cache: adds, updates (RV changed) and deletes
// for objects that disappeared, so handlers never miss a change.
class Informer {
public:
    Informer(Client& client, std::string collection_path, InformerHandlers handlers,
             InformerOptions options = {});
    ~Informer();  // stops and joins

    void start();                    // spawns the thread
    void stop();                     // sets the stop flag and joins
    bool wait_synced(std::chrono::milliseconds timeout) const;  // first list applied
    bool synced() const { return m_synced.load(); }

    std::optional<Json> get(const std::string& key) const;  // key: "name" or "ns/name"
    std::vector<Json> snapshot() const;
    std::string resource_version() const;
    const InformerStats& stats() const { return m_stats; }

    // Runs the loop in the calling thread until stop() (for callers with their own thread).
    void run();

private:
    Status relist(bool first);
    void apply(const WatchEvent& event);
    static std::string key_of(const Json& object);

    Client& m_client;
    std::string m_path;
    InformerHandlers m_handlers;
    InformerOptions m_options;
    InformerStats m_stats;
    mutable std::mutex m_mu;
    mutable std::condition_variable m_cv;
    std::map<std::string, Json> m_cache;
    std::string m_rv;
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_synced{false};
    std::thread m_thread;
};

}  // namespace ks::k8s
