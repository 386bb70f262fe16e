// What the prolog hands to the job's tasks: the outcome of the gate on this node, kept in a small
// file per (cluster, node, job) that the prolog writes as root and task_init reads as the user.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace ks::spank {

// KUBESLURM_* name -> value, exported verbatim into the job's environment.
using GateState = std::map<std::string, std::string>;

std::string state_path(std::string_view dir, std::string_view cluster, std::string_view node, unsigned job_id);

// Written atomically (temp file + rename), mode 0644. Values lose newlines.
Status write_state(const std::string& path, const GateState& state);
// Missing file: an empty state (the prolog did not run here, e.g. the plugin was added later).
Result<GateState> read_state(const std::string& path);

}  // namespace ks::spank
