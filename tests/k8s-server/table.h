// meta.k8s.io/v1 Table responses, so that `kubectl get` prints its usual columns (NAME STATUS
// ROLES AGE VERSION for nodes, NAME READY STATUS RESTARTS AGE for pods, NAME AGE otherwise).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store.h"

namespace kstest {

// Whether an Accept header asks for a Table (kubectl: "application/json;as=Table;v=v1;g=meta.k8s.io").
bool wants_table(const std::string& accept);

// A Table of `objects`; `list_meta` becomes the Table's metadata (resourceVersion, continue).
Json make_table(const Kind& kind, const std::vector<const Json*>& objects,
                const Json& list_meta = Json::object());

}  // namespace kstest
