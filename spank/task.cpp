// Remote context (slurmstepd, each task just before exec): the job learns what the gate did on
// its node through KUBESLURM_* variables.
#include "spank/spank_api.h"

#include <cstdio>

#include "common/log.h"
#include "spank/core/gate_state.h"
#include "spank/plugin_state.h"

namespace ks::spank {
namespace {

const log::Logger kLog("task");

std::string job_env(spank_t sp, const char* name) {
    char buf[1024];
    if (spank_getenv(sp, name, buf, sizeof buf) != ESPANK_SUCCESS) return {};
    return buf;
}

}  // namespace

int task_export(spank_t sp) {
    uint32_t job_id = 0;
    if (spank_get_item(sp, S_JOB_ID, &job_id) != ESPANK_SUCCESS) return 0;
    const auto& cfg = state().settings->config;
    std::string node = job_env(sp, "SLURMD_NODENAME");
    std::string cluster = job_env(sp, "SLURM_CLUSTER_NAME");
    if (cluster.empty()) cluster = "cluster";
    auto gate = read_state(state_path(cfg.str("GateStateDir"), cluster, node, job_id));
    if (!gate) {
        kLog.verbose("job ", job_id, ": ", gate.error());
        return 0;
    }
    for (const auto& [name, value] : *gate)
        if (spank_setenv(sp, name.c_str(), value.c_str(), 1) != ESPANK_SUCCESS)
            kLog.verbose("job ", job_id, ": cannot set ", name);
    return 0;
}

int task_without_config(spank_t sp, const std::string& error) {
    const std::string summary = "not checked: kubeslurm.conf is unusable: " + error;
    spank_setenv(sp, "KUBESLURM_GPU_CHECK_RESULT", "error", 1);
    spank_setenv(sp, "KUBESLURM_GPU_CHECK_SUMMARY", summary.c_str(), 1);
    // Once per step, on the job's own stderr (this runs in the task just before it starts).
    uint32_t task = 1;
    if (spank_get_item(sp, S_TASK_GLOBAL_ID, &task) == ESPANK_SUCCESS && task == 0)
        std::fprintf(stderr, "kubeslurm: this job's nodes were %s\n", summary.c_str());
    return 0;
}

}  // namespace ks::spank
