#include "patch.h"

#include <algorithm>

namespace kstest {

using Json = nlohmann::json;

// Merge key of the list at `path` (dotted, without indices); empty: atomic list.
static std::string merge_key(const std::string& path) {
    static const std::pair<const char*, const char*> keys[] = {
        {"status.conditions", "type"},      {"status.addresses", "type"},
        {"spec.containers", "name"},        {"spec.initContainers", "name"},
        {"spec.volumes", "name"},           {"spec.containers.env", "name"},
        {"spec.containers.ports", "containerPort"}, {"metadata.ownerReferences", "uid"},
    };
    for (const auto& [p, k] : keys)
        if (path == p) return k;
    return "";
}

static bool is_primitive_merge_list(const std::string& path) {
    return path == "metadata.finalizers";
}

static Json merge_list(const Json& target, const Json& patch, const std::string& path,
                       const std::string& key) {
    Json out = target.is_array() ? target : Json::array();
    for (const auto& item : patch) {
        if (!item.is_object() || !item.contains(key)) {
            out.push_back(item);
            continue;
        }
        auto same = std::find_if(out.begin(), out.end(), [&](const Json& e) {
            return e.is_object() && e.contains(key) && e[key] == item[key];
        });
        const bool del = item.value("$patch", "") == "delete";
        if (del) {
            if (same != out.end()) out.erase(same);
        } else if (same != out.end()) {
            *same = strategic_merge(*same, item, path);
        } else {
            Json clean = item;
            clean.erase("$patch");
            out.push_back(strategic_merge(Json::object(), clean, path));
        }
    }
    return out;
}

Json strategic_merge(const Json& target, const Json& patch, const std::string& path) {
    if (!patch.is_object()) return patch;
    if (patch.value("$patch", "") == "replace") {
        Json out = patch;
        out.erase("$patch");
        return out;
    }
    Json out = target.is_object() ? target : Json::object();
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        const std::string& k = it.key();
        const Json& v = it.value();
        if (k == "$patch" || k == "$retainKeys" || k.rfind("$setElementOrder/", 0) == 0) continue;
        static const std::string del_prefix = "$deleteFromPrimitiveList/";
        if (k.rfind(del_prefix, 0) == 0) {
            std::string field = k.substr(del_prefix.size());
            if (out.contains(field) && out[field].is_array() && v.is_array()) {
                Json kept = Json::array();
                for (const auto& e : out[field])
                    if (std::find(v.begin(), v.end(), e) == v.end()) kept.push_back(e);
                out[field] = kept;
            }
            continue;
        }
        const std::string sub = path.empty() ? k : path + "." + k;
        if (v.is_null()) {
            out.erase(k);
        } else if (v.is_object()) {
            out[k] = strategic_merge(out.contains(k) ? out[k] : Json::object(), v, sub);
        } else if (v.is_array()) {
            const std::string key = merge_key(sub);
            if (!key.empty()) {
                out[k] = merge_list(out.contains(k) ? out[k] : Json::array(), v, sub, key);
            } else if (is_primitive_merge_list(sub) && out.contains(k) && out[k].is_array()) {
                for (const auto& e : v)
                    if (std::find(out[k].begin(), out[k].end(), e) == out[k].end())
                        out[k].push_back(e);
            } else {
                out[k] = v;
            }
        } else {
            out[k] = v;
        }
    }
    return out;
}

std::optional<Json> apply_patch(const Json& target, const Json& patch,
                                const std::string& content_type, std::string& error) {
    const std::string type = content_type.substr(0, content_type.find(';'));
    try {
        if (type == "application/merge-patch+json") {
            if (!patch.is_object()) {
                error = "merge patch must be a JSON object";
                return std::nullopt;
            }
            Json out = target;
            out.merge_patch(patch);
            return out;
        }
        if (type == "application/strategic-merge-patch+json") {
            if (!patch.is_object()) {
                error = "strategic merge patch must be a JSON object";
                return std::nullopt;
            }
            return strategic_merge(target, patch);
        }
        if (type == "application/json-patch+json") {
            if (!patch.is_array()) {
                error = "JSON patch must be an array of operations";
                return std::nullopt;
            }
            return target.patch(patch);
        }
    } catch (const std::exception& e) {
        error = std::string("cannot apply patch: ") + e.what();
        return std::nullopt;
    }
    error = "415 unsupported patch type " + type;
    return std::nullopt;
}

}  // namespace kstest
