#include "sync/kube_json.h"

#include <nlohmann/json.hpp>

#include "sync/return_check.h"

namespace ks::sync {
namespace {

using nlohmann::json;

// The string at obj[key], "" when absent or null; false when present with another type.
bool get_string(const json& obj, const char* key, std::string& out) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return true;
    if (!it->is_string()) return false;
    out = it->get<std::string>();
    return true;
}

const json* get_object(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_object() ? &*it : nullptr;
}

const json* get_array(const json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_array() ? &*it : nullptr;
}

}  // namespace

Result<KubeNode> kube_node_from_json(const json& j) {
    if (!j.is_object()) return Error{"node: not a JSON object"};
    const json* meta = get_object(j, "metadata");
    KubeNode n;
    if (!meta || !get_string(*meta, "name", n.name) || n.name.empty())
        return Error{"node: metadata.name missing or not a string"};
    const std::string where = "node " + n.name + ": ";
    if (const json* annotations = get_object(*meta, "annotations")) {
        auto it = annotations->find(std::string(kReturnCheckAnnotation));
        if (it != annotations->end() && it->is_string()) n.return_request = it->get<std::string>();
    }
    if (const json* labels = get_object(*meta, "labels"))
        for (const auto& [k, v] : labels->items()) {
            if (!v.is_string()) return Error{where + "label " + k + " is not a string"};
            n.labels[k] = v.get<std::string>();
        }
    std::string provider_id, boot_id;
    if (const json* spec = get_object(j, "spec")) {
        get_string(*spec, "providerID", provider_id);
        if (auto u = spec->find("unschedulable"); u != spec->end() && !u->is_null()) {
            if (!u->is_boolean()) return Error{where + "spec.unschedulable is not a boolean"};
            n.unschedulable = u->get<bool>();
        }
        if (const json* taints = get_array(*spec, "taints"))
            for (const auto& t : *taints) {
                Taint taint;
                if (!t.is_object() || !get_string(t, "key", taint.key) || !get_string(t, "value", taint.value) ||
                    !get_string(t, "effect", taint.effect) || taint.key.empty())
                    return Error{where + "malformed taint in spec.taints"};
                n.taints.push_back(std::move(taint));
            }
    }
    if (const json* status = get_object(j, "status")) {
        if (const json* info = get_object(*status, "nodeInfo")) get_string(*info, "bootID", boot_id);
        if (const json* conds = get_array(*status, "conditions"))
            for (const auto& c : *conds) {
                Condition cond;
                if (!c.is_object() || !get_string(c, "type", cond.type) || !get_string(c, "status", cond.status) ||
                    !get_string(c, "reason", cond.reason) || !get_string(c, "message", cond.message) ||
                    cond.type.empty())
                    return Error{where + "malformed condition in status.conditions"};
                n.conditions.push_back(std::move(cond));
            }
    }
    if (!provider_id.empty() || !boot_id.empty()) n.identity = provider_id + " " + boot_id;
    return n;
}

Result<SlurmdPod> slurmd_pod_from_json(const json& j) {
    if (!j.is_object()) return Error{"pod: not a JSON object"};
    const json* meta = get_object(j, "metadata");
    SlurmdPod p;
    if (!meta || !get_string(*meta, "name", p.name) || p.name.empty())
        return Error{"pod: metadata.name missing or not a string"};
    if (const json* spec = get_object(j, "spec"))
        if (!get_string(*spec, "hostname", p.hostname) || !get_string(*spec, "nodeName", p.node_name))
            return Error{"pod " + p.name + ": spec.hostname or spec.nodeName is not a string"};
    if (p.hostname.empty()) p.hostname = p.name;
    return p;
}

}  // namespace ks::sync
