// In-memory object store of the Kubernetes API test server: objects per kind with a global
// resourceVersion, an event history that watches read from (bounded, compactable: watching from
// before the oldest retained event is 410 Gone), and optimistic concurrency (409 on a stale
// resourceVersion).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kstest {

using Json = nlohmann::json;

struct Kind {
    std::string name;         // "Node"
    std::string plural;       // "nodes"
    std::string api_version;  // "v1", "coordination.k8s.io/v1"
    bool namespaced = false;
};

const Kind* find_kind(const std::string& plural);
const std::vector<Kind>& kinds();

struct Event {
    std::uint64_t rv;
    std::string type;  // ADDED | MODIFIED | DELETED
    const Kind* kind;
    std::shared_ptr<const Json> object;
};

// An API failure: HTTP code + Kubernetes Status reason.
struct ApiError {
    int code;
    std::string reason;   // NotFound, AlreadyExists, Conflict, Invalid, Gone, ...
    std::string message;
};

Json status_json(const ApiError& e);

template <class T>
struct Outcome {
    std::optional<T> value;
    ApiError error{0, "", ""};
    bool ok() const { return value.has_value(); }
    static Outcome fail(int code, std::string reason, std::string message) {
        Outcome o;
        o.error = {code, std::move(reason), std::move(message)};
        return o;
    }
};

// Key of an object in its kind's map: "ns/name" or "name".
std::string object_key(const Kind& kind, const std::string& ns, const std::string& name);

class Store {
public:
    explicit Store(std::size_t history_limit) : m_history_limit(history_limit) {}

    std::uint64_t resource_version() const;
    std::uint64_t compacted_to() const;

    Outcome<Json> get(const Kind& kind, const std::string& ns, const std::string& name) const;
    // Creates; AlreadyExists when present unless `replace`.
    Outcome<Json> create(const Kind& kind, Json object, bool replace = false);
    // Read-modify-write under the store lock. `mutate` gets the current object and returns the
    // new one or an error; metadata.resourceVersion in the result (when present and different
    // from the current one) is a 409. An unchanged object keeps its RV and emits no event.
    Outcome<Json> update(const Kind& kind, const std::string& ns, const std::string& name,
                         const std::function<Outcome<Json>(const Json& current)>& mutate);
    Outcome<Json> remove(const Kind& kind, const std::string& ns, const std::string& name);

    // A page of objects in key order, after `start_after` (exclusive), at most `limit` (0: all)
    // that pass `match`. `more` is set when objects remain after the page.
    struct Page {
        std::vector<std::shared_ptr<const Json>> items;
        std::string last_key;
        bool more = false;
        std::uint64_t rv = 0;
    };
    Page list(const Kind& kind, const std::string& ns, const std::string& start_after,
              std::size_t limit, const std::function<bool(const Json&)>& match) const;

    // Events with rv > after (for one kind), appended to `out`. Returns false when `after` is
    // older than the retained history (the watch must get 410).
    bool events_after(const Kind& kind, std::uint64_t after, std::vector<Event>& out) const;
    // Waits until the RV moves past `after`, `until`, or notify_all().
    void wait(std::uint64_t after, std::chrono::steady_clock::time_point until) const;
    void notify_all();

    std::uint64_t compact();  // forgets the history; returns the RV compacted to
    std::map<std::string, std::size_t> counts() const;

private:
    void record(const Kind& kind, const std::string& type, std::shared_ptr<const Json> obj);
    std::shared_ptr<const Json> stamp(Json object);

    mutable std::mutex m_mu;
    mutable std::condition_variable m_cv;
    std::map<std::string, std::map<std::string, std::shared_ptr<const Json>>> m_objects;
    std::deque<Event> m_history;
    std::size_t m_history_limit;
    std::uint64_t m_rv = 1;
    std::uint64_t m_compacted = 0;  // watching from an RV < this is 410
    std::uint64_t m_uid = 0;
};

}  // namespace kstest
