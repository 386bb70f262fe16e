// Command line of kubeslurm-topo: one subcommand, --options (with "--opt value" or "--opt=value")
// and positional arguments. Unknown options are usage errors.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace ks::topo_cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;   // bad input, I/O or Slurm errors
inline constexpr int kExitUsage = 64;  // bad command line or configuration

struct Args {
    std::string command;                        // import | show | explain ("" with --help/--version)
    std::vector<std::string> positional;
    std::map<std::string, std::string> values;  // option -> value ("" for flags)

    bool has(const std::string& option) const { return values.count(option) != 0; }
    std::optional<std::string> get(const std::string& option) const;
};

Result<Args> parse_args(int argc, char** argv);
const char* usage();

}  // namespace ks::topo_cli
