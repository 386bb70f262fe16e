// Allocator (sbatch/salloc) and local (srun) contexts: the user options, validated at submit,
// handed to slurmctld and the nodes as job control variables.
#include "spank/spank_api.h"

#include <cstdlib>
#include <string>

#include "common/log.h"
#include "spank/plugin_state.h"

namespace ks::spank {
namespace {

const log::Logger kLog("submit");

enum OptionId { kTopologyOption = 1, kCheckOption = 2 };

// Option callbacks are called by Slurm directly: nothing may escape them.
template <class F>
int option_guard(const char* option, F&& body) noexcept {
    try {
        return body();
    } catch (...) {
        kLog.error("--", option, ": internal error");
        return -1;
    }
}

int on_topology(int, const char* optarg, int) {
    return option_guard("topology", [&] {
        std::string value = optarg ? optarg : "";
        if (!valid_topology(value)) {
            kLog.error("--topology=", value, ": expected one of ", kTopologyChoices);
            return -1;
        }
        state().topology = value;
        return 0;
    });
}

int on_check(int, const char* optarg, int) {
    return option_guard("gpu-check", [&] {
        std::string value = optarg ? optarg : "";
        auto level = parse_level(value);
        if (!level) {
            kLog.error("--gpu-check=", value, ": expected one of ", kCheckLevelChoices);
            return -1;
        }
        state().check_level = level;
        return 0;
    });
}

spank_option kOptions[] = {
    {const_cast<char*>("topology"), const_cast<char*>("any|prefer|block|leaf"),
     const_cast<char*>("[kubeslurm] placement across NVLink domains and network leaves: any, "
                       "prefer (fewest domains, default), block (one domain or wait), leaf "
                       "(one leaf switch or wait)"),
     1, kTopologyOption, on_topology},
    {const_cast<char*>("gpu-check"), const_cast<char*>("off|quick|nccl|full"),
     const_cast<char*>("[kubeslurm] health check of the allocated nodes before the job starts: "
                       "off, quick, nccl (adds the multi-node check), full; the partition's "
                       "default applies when not given"),
     1, kCheckOption, on_check},
};

// The partition when the client knows it from its input environment (sbatch -p is not visible
// to plugins); empty otherwise, and the cluster-wide default applies at submit.
std::string known_partition() {
    for (const char* var : {"SBATCH_PARTITION", "SALLOC_PARTITION", "SLURM_PARTITION"})
        if (const char* v = std::getenv(var); v && *v) return v;
    return {};
}

}  // namespace

int register_options(spank_t sp) {
    for (auto& opt : kOptions) {
        if (spank_option_register(sp, &opt) != ESPANK_SUCCESS) {
            kLog.error("cannot register --", opt.name);
            return -1;
        }
    }
    return 0;
}

int submit_post_opt(spank_t sp) {
    PluginState& st = state();
    if (st.check_level) {
        const std::string partition = known_partition();
        const auto& cfg = st.settings->config;
        // Per-partition defaults can only be judged here when the partition is known; the
        // prolog applies the same rules again with the job's real partition.
        if (partition.empty() && !cfg.str("PartitionGpuCheck").empty() && *st.check_level != CheckLevel::Off) {
            kLog.verbose("--gpu-check=", level_name(*st.check_level), ": partition not known yet, "
                         "the prolog applies the partition's limits");
        } else if (auto level = resolve_level(st.check_level, level_policy(cfg, partition)); !level) {
            kLog.error(level.error());
            return -1;
        }
    }
    // Steps inside an existing allocation cannot (and need not) change the job's variables.
    if (spank_context() == S_CTX_LOCAL && std::getenv("SLURM_JOB_ID")) return 0;

    const auto set = [&](const char* var, std::string_view value) {
        spank_err_t rc = spank_job_control_setenv(sp, var, std::string(value).c_str(), 1);
        if (rc != ESPANK_SUCCESS) {
            kLog.error("cannot pass ", var, " to the job: ", spank_strerror(rc));
            return false;
        }
        return true;
    };
    if (st.topology && !set(kTopologyVar, *st.topology)) return -1;
    if (st.check_level && !set(kCheckVar, level_name(*st.check_level))) return -1;
    return 0;
}

}  // namespace ks::spank
