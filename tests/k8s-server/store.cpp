#include "store.h"

#include <algorithm>
#include <ctime>

namespace kstest {

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> k = {
        {"Node", "nodes", "v1", false},
        {"Pod", "pods", "v1", true},
        {"Namespace", "namespaces", "v1", false},
        {"Lease", "leases", "coordination.k8s.io/v1", true},
        {"Event", "events", "v1", true},
    };
    return k;
}

const Kind* find_kind(const std::string& plural) {
    for (const auto& k : kinds())
        if (k.plural == plural) return &k;
    return nullptr;
}

Json status_json(const ApiError& e) {
    return {{"kind", "Status"},   {"apiVersion", "v1"},      {"metadata", Json::object()},
            {"status", "Failure"}, {"message", e.message}, {"reason", e.reason},
            {"code", e.code}};
}

std::string object_key(const Kind& kind, const std::string& ns, const std::string& name) {
    return kind.namespaced ? ns + "/" + name : name;
}

static std::string now_rfc3339() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

static std::string meta_string(const Json& obj, const char* field) {
    auto m = obj.find("metadata");
    if (m == obj.end() || !m->is_object()) return "";
    auto f = m->find(field);
    return f != m->end() && f->is_string() ? f->get<std::string>() : "";
}

std::uint64_t Store::resource_version() const {
    std::lock_guard lk(m_mu);
    return m_rv;
}

std::uint64_t Store::compacted_to() const {
    std::lock_guard lk(m_mu);
    return m_compacted;
}

std::shared_ptr<const Json> Store::stamp(Json object) {
    object["metadata"]["resourceVersion"] = std::to_string(++m_rv);
    return std::make_shared<const Json>(std::move(object));
}

void Store::record(const Kind& kind, const std::string& type, std::shared_ptr<const Json> obj) {
    m_history.push_back({m_rv, type, &kind, std::move(obj)});
    while (m_history.size() > m_history_limit) {
        m_compacted = m_history.front().rv;
        m_history.pop_front();
    }
    m_cv.notify_all();
}

Outcome<Json> Store::get(const Kind& kind, const std::string& ns, const std::string& name) const {
    std::lock_guard lk(m_mu);
    auto byk = m_objects.find(kind.name);
    if (byk != m_objects.end()) {
        auto it = byk->second.find(object_key(kind, ns, name));
        if (it != byk->second.end()) return {*it->second};
    }
    return Outcome<Json>::fail(404, "NotFound",
                               kind.plural + " \"" + name + "\" not found");
}

Outcome<Json> Store::create(const Kind& kind, Json object, bool replace) {
    if (!object.is_object()) return Outcome<Json>::fail(400, "BadRequest", "body is not an object");
    std::string name = meta_string(object, "name");
    std::string ns = kind.namespaced ? meta_string(object, "namespace") : "";
    if (name.empty()) return Outcome<Json>::fail(422, "Invalid", "metadata.name: Required value");
    if (kind.namespaced && ns.empty()) ns = "default";
    object["kind"] = kind.name;
    object["apiVersion"] = kind.api_version;
    auto& meta = object["metadata"];
    if (kind.namespaced) meta["namespace"] = ns;
    std::lock_guard lk(m_mu);
    auto& objects = m_objects[kind.name];
    std::string key = object_key(kind, ns, name);
    auto it = objects.find(key);
    if (it != objects.end() && !replace)
        return Outcome<Json>::fail(409, "AlreadyExists",
                                   kind.plural + " \"" + name + "\" already exists");
    if (it != objects.end()) {
        meta["uid"] = (*it->second)["metadata"].value("uid", "");
        meta["creationTimestamp"] = (*it->second)["metadata"].value("creationTimestamp", "");
    } else {
        meta["uid"] = "00000000-0000-4000-8000-" + [&] {
            char b[16];
            std::snprintf(b, sizeof b, "%012llx", static_cast<unsigned long long>(++m_uid));
            return std::string(b);
        }();
        meta["creationTimestamp"] = now_rfc3339();
    }
    const bool existed = it != objects.end();
    auto stored = stamp(std::move(object));
    objects[key] = stored;
    record(kind, existed ? "MODIFIED" : "ADDED", stored);
    return {*stored};
}

Outcome<Json> Store::update(const Kind& kind, const std::string& ns, const std::string& name,
                            const std::function<Outcome<Json>(const Json&)>& mutate) {
    std::lock_guard lk(m_mu);
    auto& objects = m_objects[kind.name];
    auto it = objects.find(object_key(kind, ns, name));
    if (it == objects.end())
        return Outcome<Json>::fail(404, "NotFound", kind.plural + " \"" + name + "\" not found");
    const Json& current = *it->second;
    auto next = mutate(current);
    if (!next.ok()) return next;
    Json& obj = *next.value;
    if (!obj.is_object()) return Outcome<Json>::fail(422, "Invalid", "result is not an object");
    const std::string cur_rv = meta_string(current, "resourceVersion");
    const std::string want_rv = meta_string(obj, "resourceVersion");
    if (!want_rv.empty() && want_rv != cur_rv)
        return Outcome<Json>::fail(
            409, "Conflict",
            "Operation cannot be fulfilled on " + kind.plural + " \"" + name +
                "\": the object has been modified; please apply your changes to the latest "
                "version and try again");
    // Identity fields cannot change.
    auto& meta = obj["metadata"];
    for (const char* f : {"name", "namespace", "uid", "creationTimestamp"}) {
        auto c = current["metadata"].find(f);
        if (c != current["metadata"].end()) meta[f] = *c;
    }
    obj["kind"] = kind.name;
    obj["apiVersion"] = kind.api_version;
    meta["resourceVersion"] = cur_rv;
    if (obj == current) return {current};  // no-op: no new RV, no event
    auto stored = stamp(std::move(obj));
    it->second = stored;
    record(kind, "MODIFIED", stored);
    return {*stored};
}

Outcome<Json> Store::remove(const Kind& kind, const std::string& ns, const std::string& name) {
    std::lock_guard lk(m_mu);
    auto& objects = m_objects[kind.name];
    auto it = objects.find(object_key(kind, ns, name));
    if (it == objects.end())
        return Outcome<Json>::fail(404, "NotFound", kind.plural + " \"" + name + "\" not found");
    auto gone = stamp(*it->second);
    objects.erase(it);
    record(kind, "DELETED", gone);
    return {*gone};
}

Store::Page Store::list(const Kind& kind, const std::string& ns, const std::string& start_after,
                        std::size_t limit, const std::function<bool(const Json&)>& match) const {
    Page page;
    std::lock_guard lk(m_mu);
    page.rv = m_rv;
    auto byk = m_objects.find(kind.name);
    if (byk == m_objects.end()) return page;
    const auto& objects = byk->second;
    auto it = start_after.empty() ? objects.begin() : objects.upper_bound(start_after);
    if (kind.namespaced && !ns.empty() && start_after.empty()) it = objects.lower_bound(ns + "/");
    for (; it != objects.end(); ++it) {
        if (kind.namespaced && !ns.empty() && it->first.compare(0, ns.size() + 1, ns + "/") != 0)
            break;  // keys are sorted: the namespace's objects are contiguous
        if (!match(*it->second)) continue;
        if (limit && page.items.size() == limit) {
            page.more = true;
            break;
        }
        page.items.push_back(it->second);
        page.last_key = it->first;
    }
    return page;
}

bool Store::events_after(const Kind& kind, std::uint64_t after, std::vector<Event>& out) const {
    std::lock_guard lk(m_mu);
    if (after < m_compacted) return false;
    auto it = std::upper_bound(m_history.begin(), m_history.end(), after,
                               [](std::uint64_t rv, const Event& e) { return rv < e.rv; });
    for (; it != m_history.end(); ++it)
        if (it->kind == &kind) out.push_back(*it);
    return true;
}

void Store::wait(std::uint64_t after, std::chrono::steady_clock::time_point until) const {
    std::unique_lock lk(m_mu);
    m_cv.wait_until(lk, until, [&] { return m_rv > after; });
}

void Store::notify_all() {
    std::lock_guard lk(m_mu);
    m_cv.notify_all();
}

std::uint64_t Store::compact() {
    std::lock_guard lk(m_mu);
    m_history.clear();
    m_compacted = m_rv;
    return m_compacted;
}

std::map<std::string, std::size_t> Store::counts() const {
    std::lock_guard lk(m_mu);
    std::map<std::string, std::size_t> out;
    for (const auto& [k, objs] : m_objects) out[k] = objs.size();
    return out;
}

}  // namespace kstest
