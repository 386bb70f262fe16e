// Kubernetes Node and Pod objects (API JSON) -> the plain state reconcile() works on.
// Untrusted input: missing or mistyped fields are errors, never exceptions.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/result.h"
#include "sync/state.h"

namespace ks::sync {

Result<KubeNode> kube_node_from_json(const nlohmann::json& node);
Result<SlurmdPod> slurmd_pod_from_json(const nlohmann::json& pod);

}  // namespace ks::sync
