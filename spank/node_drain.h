// Drains a Slurm node with a reason through the host process's libslurm (slurmstepd links it).
#pragma once

#include <string>

#include "common/result.h"

namespace ks::spank {

Status drain_node(const std::string& node, const std::string& reason);

}  // namespace ks::spank
