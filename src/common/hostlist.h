// Slurm hostlist expressions ("n[1-4,7]") through libslurm's public slurm_hostlist_* API.
// Inside Slurm daemons the symbols resolve against the daemon itself; CLIs link libslurm.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace ks::hostlist {

Result<std::vector<std::string>> expand(std::string_view expression);
std::string compress(std::span<const std::string> hosts);

}  // namespace ks::hostlist
