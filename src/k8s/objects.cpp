// Pure helpers on Kubernetes objects: patch bodies, taints, conditions, watch events, Leases.
#include <cstdio>
#include <ctime>
#include <sys/time.h>

#include "k8s/client.h"

namespace ks::k8s {

namespace {

std::string str_at(const Json& obj, const char* key) {
    if (!obj.is_object()) return "";
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

Json taint_json(const Taint& t) {
    Json j = {{"key", t.key}, {"effect", t.effect}};
    if (!t.value.empty()) j["value"] = t.value;
    if (!t.time_added.empty()) j["timeAdded"] = t.time_added;
    return j;
}

std::string micro_time_now() {
    timeval tv{};
    gettimeofday(&tv, nullptr);
    std::tm tm{};
    gmtime_r(&tv.tv_sec, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[64];
    std::snprintf(out, sizeof out, "%s.%06ldZ", buf, static_cast<long>(tv.tv_usec));
    return out;
}

}  // namespace

std::string rfc3339_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

namespace {
Json metadata_map_patch(const char* field, const std::map<std::string, std::optional<std::string>>& values) {
    Json m = Json::object();
    for (const auto& [k, v] : values) m[k] = v ? Json(*v) : Json(nullptr);
    return {{"metadata", {{field, m}}}};
}
}  // namespace

Json labels_merge_patch(const std::map<std::string, std::optional<std::string>>& labels) {
    return metadata_map_patch("labels", labels);
}

Json annotations_merge_patch(const std::map<std::string, std::optional<std::string>>& annotations) {
    return metadata_map_patch("annotations", annotations);
}

Json node_event_json(const NodeEvent& e, long long unix_ns) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".%llx", unix_ns);
    const std::string now = rfc3339_now();
    Json meta = {{"name", e.node + suffix}, {"namespace", "default"}};
    if (!e.annotations.empty()) meta["annotations"] = e.annotations;
    return {{"apiVersion", "v1"},
            {"kind", "Event"},
            {"metadata", meta},
            {"involvedObject", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", e.node}, {"uid", e.node}}},
            {"type", e.type},
            {"reason", e.reason},
            {"message", e.message},
            {"source", {{"component", e.component}}},
            {"reportingComponent", e.component},
            {"reportingInstance", e.instance},
            {"firstTimestamp", now},
            {"lastTimestamp", now},
            {"count", 1}};
}

Json taints_with(const Json& taints, const Taint& taint) {
    Json out = Json::array();
    bool replaced = false;
    if (taints.is_array()) {
        for (const auto& t : taints) {
            if (str_at(t, "key") == taint.key && str_at(t, "effect") == taint.effect) {
                if (!replaced) out.push_back(taint_json(taint));
                replaced = true;
            } else {
                out.push_back(t);
            }
        }
    }
    if (!replaced) out.push_back(taint_json(taint));
    return out;
}

Json taints_without(const Json& taints, const std::string& key, const std::string& effect) {
    Json out = Json::array();
    if (!taints.is_array()) return out;
    for (const auto& t : taints)
        if (!(str_at(t, "key") == key && (effect.empty() || str_at(t, "effect") == effect)))
            out.push_back(t);
    return out;
}

Json taints_patch(const Json& taints, const std::string& resource_version) {
    // spec.taints is an atomic list: the patch carries the whole new list.
    return {{"metadata", {{"resourceVersion", resource_version}}},
            {"spec", {{"taints", taints.is_array() ? taints : Json::array()}}}};
}

Json condition_patch(const Condition& c) {
    const std::string now = rfc3339_now();
    Json cond = {{"type", c.type},
                 {"status", c.status},
                 {"reason", c.reason},
                 {"message", c.message},
                 {"lastHeartbeatTime", c.last_heartbeat_time.empty() ? now : c.last_heartbeat_time},
                 {"lastTransitionTime",
                  c.last_transition_time.empty() ? now : c.last_transition_time}};
    return {{"status", {{"conditions", Json::array({cond})}}}};
}

Json unschedulable_patch(bool unschedulable) {
    return {{"spec", {{"unschedulable", unschedulable ? Json(true) : Json(nullptr)}}}};
}

std::optional<Taint> find_taint(const Json& node, const std::string& key) {
    if (!node.is_object() || !node.contains("spec") || !node["spec"].is_object()) return std::nullopt;
    const Json& spec = node["spec"];
    auto it = spec.find("taints");
    if (it == spec.end() || !it->is_array()) return std::nullopt;
    for (const auto& t : *it)
        if (str_at(t, "key") == key)
            return Taint{key, str_at(t, "value"), str_at(t, "effect"), str_at(t, "timeAdded")};
    return std::nullopt;
}

std::optional<Condition> find_condition(const Json& node, const std::string& type) {
    if (!node.is_object() || !node.contains("status") || !node["status"].is_object())
        return std::nullopt;
    const Json& status = node["status"];
    auto it = status.find("conditions");
    if (it == status.end() || !it->is_array()) return std::nullopt;
    for (const auto& c : *it)
        if (str_at(c, "type") == type)
            return Condition{type,
                             str_at(c, "status"),
                             str_at(c, "reason"),
                             str_at(c, "message"),
                             str_at(c, "lastTransitionTime"),
                             str_at(c, "lastHeartbeatTime")};
    return std::nullopt;
}

const char* event_type_name(EventType type) {
    switch (type) {
        case EventType::Added: return "ADDED";
        case EventType::Modified: return "MODIFIED";
        case EventType::Deleted: return "DELETED";
        case EventType::Bookmark: return "BOOKMARK";
        case EventType::Error: return "ERROR";
    }
    return "?";
}

std::string WatchEvent::resource_version() const {
    if (!object.is_object() || !object.contains("metadata")) return "";
    return str_at(object["metadata"], "resourceVersion");
}

long WatchEvent::error_code() const {
    if (type != EventType::Error || !object.is_object()) return 0;
    auto it = object.find("code");
    return it != object.end() && it->is_number_integer() ? it->get<long>() : 0;
}

Result<WatchEvent> parse_watch_event(std::string_view line) {
    Json j = Json::parse(line.begin(), line.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error{"watch: event is not a JSON object"};
    const std::string type = str_at(j, "type");
    WatchEvent ev;
    if (type == "ADDED") ev.type = EventType::Added;
    else if (type == "MODIFIED") ev.type = EventType::Modified;
    else if (type == "DELETED") ev.type = EventType::Deleted;
    else if (type == "BOOKMARK") ev.type = EventType::Bookmark;
    else if (type == "ERROR") ev.type = EventType::Error;
    else return Error{"watch: unknown event type '" + type + "'"};
    auto obj = j.find("object");
    if (obj == j.end() || !obj->is_object()) return Error{"watch: " + type + " event without object"};
    ev.object = std::move(*obj);
    if (ev.type != EventType::Error && ev.resource_version().empty())
        return Error{"watch: " + type + " event without metadata.resourceVersion"};
    return ev;
}

Json lease_to_json(const Lease& l) {
    Json meta = {{"name", l.name}, {"namespace", l.ns}};
    if (!l.resource_version.empty()) meta["resourceVersion"] = l.resource_version;
    Json spec = {{"holderIdentity", l.holder},
                 {"leaseDurationSeconds", l.duration_s},
                 {"leaseTransitions", l.transitions}};
    spec["acquireTime"] = l.acquire_time.empty() ? micro_time_now() : l.acquire_time;
    spec["renewTime"] = l.renew_time.empty() ? micro_time_now() : l.renew_time;
    return {{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}, {"metadata", meta},
            {"spec", spec}};
}

Result<Lease> lease_from_json(const Json& object) {
    if (!object.is_object() || !object.contains("metadata") || !object["metadata"].is_object())
        return Error{"lease: not an object with metadata"};
    Lease l;
    const Json& meta = object["metadata"];
    l.name = str_at(meta, "name");
    l.ns = str_at(meta, "namespace");
    l.resource_version = str_at(meta, "resourceVersion");
    if (l.name.empty()) return Error{"lease: metadata.name missing"};
    if (object.contains("spec") && object["spec"].is_object()) {
        const Json& spec = object["spec"];
        l.holder = str_at(spec, "holderIdentity");
        l.acquire_time = str_at(spec, "acquireTime");
        l.renew_time = str_at(spec, "renewTime");
        if (spec.contains("leaseDurationSeconds") && spec["leaseDurationSeconds"].is_number_integer())
            l.duration_s = spec["leaseDurationSeconds"].get<int>();
        if (spec.contains("leaseTransitions") && spec["leaseTransitions"].is_number_integer())
            l.transitions = spec["leaseTransitions"].get<long>();
    }
    return l;
}

std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query) {
    static const char* hex = "0123456789ABCDEF";
    std::string out = path;
    char sep = path.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [k, v] : query) {
        out += sep;
        sep = '&';
        out += k;
        out += '=';
        for (unsigned char c : v) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            }
        }
    }
    return out;
}

}  // namespace ks::k8s
