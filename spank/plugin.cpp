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
// slurm_spank_init (the job script context does not): whichever callback comes first loads.
bool load(int ac, char** av) {
    auto& st = ks::spank::state();
    if (st.settings) return true;
    ks::spank::install_slurm_log_sink();
    std::vector<std::string> args(av, av + ac);
    auto settings = ks::spank::load_settings(args, std::getenv("KUBESLURM_CONF"));
    if (!settings) {
        ks::log::Logger("config").error(settings.error());
        return false;
    }
    st.settings = std::move(settings.value());
    return true;
}

}  // namespace

ks::spank::PluginState& ks::spank::state() {
    static PluginState s;
    return s;
}

int slurm_spank_init(spank_t sp, int ac, char** av) {
    return guarded("init", [&] {
        if (!load(ac, av)) return -1;
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
        if (!load(ac, av)) return -1;
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
        if (!load(ac, av)) return -1;
        return spank_context() == S_CTX_JOB_SCRIPT ? ks::spank::prolog_gate(sp) : 0;
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
        if (!load(ac, av)) return 0;
        return spank_context() == S_CTX_REMOTE ? ks::spank::task_export(sp) : 0;
    });
}
