// Runs one program with a hard deadline: no shell, its own process group (killed as a whole at
// the deadline), stdout captured, stderr captured for the log.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "spank/core/report.h"

namespace ks::spank {

struct RunSpec {
    std::string path;                // absolute path, executed as is
    std::vector<std::string> args;   // argv[1..]
    std::vector<std::string> env;    // the complete environment, "NAME=value"
    std::chrono::milliseconds deadline{60000};
    std::chrono::milliseconds kill_grace{1000};  // SIGTERM to SIGKILL
    size_t max_output = 4u << 20;    // bytes kept per stream
};

struct RunOutput {
    CheckerRun run;
    std::string stderr_text;
    double elapsed_s = 0;
};

// Returns within deadline + kill_grace + a few hundred milliseconds, whatever the program does.
RunOutput run_with_deadline(const RunSpec& spec);

}  // namespace ks::spank
