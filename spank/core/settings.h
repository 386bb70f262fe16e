// Plugin settings: kubeslurm.conf overlaid with the arguments of the plugstack.conf line.
#pragma once

#include <span>
#include <string>

#include "common/config.h"
#include "common/result.h"

namespace ks::spank {

struct Settings {
    config::Config config;
    std::string conf_path;  // the kubeslurm.conf that was read (it may be missing)
};

// `args` are the plugstack.conf arguments. `conf=PATH` names the kubeslurm.conf to read (it must
// exist); otherwise `env_conf` (KUBESLURM_CONF, may be null) or the default path is read and may
// be missing. Every other argument is a kubeslurm.conf `Key=Value` that overrides the file;
// unknown keys and bad values are errors naming the argument.
Result<Settings> load_settings(std::span<const std::string> args, const char* env_conf);

}  // namespace ks::spank
