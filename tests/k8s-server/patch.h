// Patch semantics of the Kubernetes API test server: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch with the merge keys of the kinds it serves.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace kstest {

// Applies `patch` of `content_type` to `target`. nullopt + `error` on bad input or an
// unsupported patch type (error starts with "415" for the latter).
std::optional<nlohmann::json> apply_patch(const nlohmann::json& target,
                                          const nlohmann::json& patch,
                                          const std::string& content_type, std::string& error);

// Strategic merge patch. Lists with a merge key (conditions and addresses by "type",
// containers/env/volumes by "name") merge element by element and honour {"$patch":"delete"};
// every other list (spec.taints included) is replaced atomically. "$setElementOrder/..." and
// "$retainKeys" directives are accepted and ignored; "$deleteFromPrimitiveList/<f>" removes values.
nlohmann::json strategic_merge(const nlohmann::json& target, const nlohmann::json& patch,
                               const std::string& path = "");

}  // namespace kstest
