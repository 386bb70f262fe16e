// Command line of kubeslurm-burnin.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::burnin {

struct Options {
    std::string partition;
    std::string nodes;            // hostlist expression
    std::string level = "burnin";
    double duration_s = 1800;     // per node
    std::string output_dir;       // default ./kubeslurm-burnin-<sweep id>
    bool drain = false;
    std::string history;          // default in the state directory
    bool no_history = false;
    std::string topology;         // default TopologyFile of kubeslurm.conf, when it exists
    bool no_multinode = false;
    std::string checker;          // default CheckerPath of kubeslurm.conf
    std::string config;           // kubeslurm.conf, also handed to the checker
    std::string reservation;
    int parallel = 64;
    int lemon_failures = 2;
    double tolerance = 0.05;
    bool verbose = false;
    bool help = false;
    bool version = false;
};

Result<Options> parse_options(int argc, char** argv);
// "90s", "30m", "2h", "1d" or plain seconds; nullopt when malformed or not positive.
std::optional<double> parse_seconds(const std::string& text);
const char* usage();

}  // namespace ks::burnin
