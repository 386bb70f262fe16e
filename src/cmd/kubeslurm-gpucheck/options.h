// Command line of kubeslurm-gpucheck.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "health/level.h"

namespace ks::gpucheck {

struct Options {
    bool prolog = false;
    bool help = false;
    bool version = false;
    bool list_checks = false;
    health::Level level = health::Level::Quick;
    std::string config_path;              // empty: the default path, missing file allowed
    double duration_s = 0;                // --duration (burn-in)
    std::string json_path;                // --json FILE ("-" = stdout)
    std::optional<double> timeout_s;      // --timeout: whole run
    std::string munge_socket;             // --munge-socket
    std::string node;                     // --node (instead of SLURMD_NODENAME)
    std::vector<std::string> only;        // --check NAME (repeatable)
    bool verbose = false;
};

Result<Options> parse_options(int argc, char** argv);
// "30m", "90s", "2h", "45" (seconds) -> seconds.
std::optional<double> parse_duration(const std::string& text);
const char* usage();

}  // namespace ks::gpucheck
