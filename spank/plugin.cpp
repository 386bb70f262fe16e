// spank_kubeslurm: the C ABI of the plugin. Every callback switches on spank_context() and hands
// off to the file of that context; nothing throws across this boundary.
#include "spank/spank_api.h"

#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include "common/log.h"
#include "spank/plugin_state.h"

extern "C" {
// SPANK_PLUGIN() outside spank.h's extern "C" would give these internal linkage in C++.
extern const char plugin_name[];
extern const char plugin_type[];
extern const unsigned int plugin_version;
extern const unsigned int spank_plugin_version;
const char plugin_name[] = "kubeslurm";
const char plugin_type[] = "spank";
const unsigned int plugin_version = SLURM_VERSION_NUMBER;
const unsigned int spank_plugin_version = 1;

int slurm_spank_init(spank_t sp, int ac, char** av);
int slurm_spank_init_post_opt(spank_t sp, int ac, char** av);
int slurm_spank_job_prolog(spank_t sp, int ac, char** av);
int slurm_spank_job_epilog(spank_t sp, int ac, char** av);
int slurm_spank_task_init(spank_t sp, int ac, char** av);
}

namespace {

const ks::log::Logger kLog("plugin");

template <class F>
int guarded(const char* phase, F&& body) {
    try {
        return body();
    } catch (const std::exception& e) {
        kLog.error(phase, ": internal error: ", e.what());
    } catch (...) {
        kLog.error(phase, ": internal error");
    }
    return -1;
}

// Slurm hands the plugstack.conf arguments to every callback, and not every process calls
// slurm_spank_init (the job script context does not): whichever callback comes first loads, and
// an error is logged once per process.
bool load(int ac, char** av) {
    auto& st = ks::spank::state();
    if (st.settings) return true;
    if (st.config_error) return false;
    ks::spank::install_slurm_log_sink();
    std::vector<std::string> args(av, av + ac);
    auto settings = ks::spank::load_settings(args, std::getenv("KUBESLURM_CONF"));
    if (!settings) {
        ks::log::Logger("config").error(settings.error());
        st.config_error = settings.error();
        return false;
    }
    st.settings = std::move(settings.value());
    return true;
}

// A configuration error is the admin's, not the node's nor a queued job's: only a new submission
// (sbatch, salloc, srun outside a job) is refused, so that the admin hears of it at once. On the
// nodes, steps start, and jobs run without the health check and are told why.
bool new_submission() {
    const spank_context_t ctx = spank_context();
    return (ctx == S_CTX_ALLOCATOR || ctx == S_CTX_LOCAL) && !std::getenv("SLURM_JOB_ID");
}

}  // namespace

ks::spank::PluginState& ks::spank::state() {
    static PluginState s;
    return s;
}

int slurm_spank_init(spank_t sp, int ac, char** av) {
    return guarded("init", [&] {
        if (!load(ac, av) && new_submission()) return -1;
        switch (spank_context()) {
            case S_CTX_LOCAL:
            case S_CTX_ALLOCATOR:
            case S_CTX_REMOTE:
                return ks::spank::register_options(sp);
            default:
                return 0;
        }
    });
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char** av) {
    return guarded("options", [&] {
        if (!load(ac, av)) return new_submission() ? -1 : 0;
        switch (spank_context()) {
            case S_CTX_LOCAL:
            case S_CTX_ALLOCATOR:
                return ks::spank::submit_post_opt(sp);
            default:
                return 0;
        }
    });
}

int slurm_spank_job_prolog(spank_t sp, int ac, char** av) {
    return guarded("prolog", [&] {
        if (spank_context() != S_CTX_JOB_SCRIPT) return 0;
        if (!load(ac, av)) return ks::spank::prolog_without_config(sp, *ks::spank::state().config_error);
        return ks::spank::prolog_gate(sp);
    });
}

int slurm_spank_job_epilog(spank_t sp, int ac, char** av) {
    return guarded("epilog", [&] {
        if (!load(ac, av)) return 0;
        return spank_context() == S_CTX_JOB_SCRIPT ? ks::spank::prolog_cleanup(sp) : 0;
    });
}

int slurm_spank_task_init(spank_t sp, int ac, char** av) {
    return guarded("task", [&] {
        if (spank_context() != S_CTX_REMOTE) return 0;
        if (!load(ac, av)) return ks::spank::task_without_config(sp, *ks::spank::state().config_error);
        return ks::spank::task_export(sp);
    });
}
