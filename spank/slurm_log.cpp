// Plugin log lines go to the host process's Slurm log (slurmd/slurmstepd log file, or the
// user's terminal for sbatch/srun) through the functions spank.h declares.
#include "spank/spank_api.h"

#include "common/log.h"
#include "spank/plugin_state.h"

namespace ks::spank {
namespace {

void slurm_sink(log::Level level, const std::string& line) {
    switch (level) {
        case log::Level::Error: slurm_error("%s", line.c_str()); break;
        case log::Level::Warning:
        case log::Level::Info: slurm_info("%s", line.c_str()); break;
        case log::Level::Verbose: slurm_verbose("%s", line.c_str()); break;
        case log::Level::Debug: slurm_debug("%s", line.c_str()); break;
    }
}

}  // namespace

void install_slurm_log_sink() {
    log::set_sink(slurm_sink);
    log::set_level(log::Level::Debug);  // Slurm's own level (SlurmdDebug, -v) filters
}

}  // namespace ks::spank
