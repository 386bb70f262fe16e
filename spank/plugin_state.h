// Per-process state of the plugin: settings from slurm_spank_init and the user's option values.
// Slurm calls every callback of one process from one thread.
#pragma once

#include <optional>
#include <string>

#include "spank/spank_api.h"

#include "spank/core/levels.h"
#include "spank/core/settings.h"

namespace ks::spank {

struct PluginState {
    std::optional<Settings> settings;
    std::optional<std::string> config_error;  // why the settings could not be loaded
    std::optional<std::string> topology;    // --topology, validated
    std::optional<CheckLevel> check_level;  // --gpu-check, validated
};

PluginState& state();

// Names of the job control variables that carry the options to slurmctld and the nodes. They
// start with SPANK_ already, so Slurm keeps them exactly as written everywhere
// (job_ptr->spank_job_env, the prolog's environment).
inline constexpr const char* kTopologyVar = "SPANK_KUBESLURM_TOPOLOGY";
inline constexpr const char* kCheckVar = "SPANK_KUBESLURM_GPU_CHECK";

// Handlers of one context each (spank/plugin.cpp dispatches to them). 0 or -1, never a throw.
int register_options(spank_t sp);
int submit_post_opt(spank_t sp);     // allocator and local contexts
int prolog_gate(spank_t sp);         // job_script context: slurm_spank_job_prolog
int prolog_cleanup(spank_t sp);      // job_script context: slurm_spank_job_epilog
int task_export(spank_t sp);         // remote context: slurm_spank_task_init
// The same two without usable settings (config_error): the job runs unchecked and is told why.
int prolog_without_config(spank_t sp, const std::string& error);
int task_without_config(spank_t sp, const std::string& error);

// Routes ks::log lines to Slurm's log functions of the host process.
void install_slurm_log_sink();

}  // namespace ks::spank
