// Child processes started from an argv (posix_spawnp, never a shell): Slurm's commands and the
// per-node srun jobs of the sweep.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::burnin {

// Starts argv with stdin from /dev/null and stdout/stderr appended to files.
Result<pid_t> spawn_to_files(const std::vector<std::string>& argv, const std::string& out_path,
                             const std::string& err_path);

// Exit status of a finished child (128 + signal when killed), nullopt while it runs.
std::optional<int> poll_exit(pid_t pid);

struct Captured {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs argv to completion (killed after timeout_s) and returns its output.
Result<Captured> capture(const std::vector<std::string>& argv, double timeout_s);

}  // namespace ks::burnin
