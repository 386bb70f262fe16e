#include "health/job_context.h"

#include <unistd.h>

#include <algorithm>

#include "common/hostlist.h"
#include "common/strings.h"

namespace ks::health {

Result<std::vector<int>> parse_device_list(const std::string& text) {
    std::vector<int> out;
    for (const auto& item : str::split(text, ',')) {
        auto v = str::to_long(item);
        if (!v || *v < 0 || *v > 4095) return Error{"'" + text + "' is not a list of GPU indices"};
        out.push_back(static_cast<int>(*v));
    }
    return out;
}

Result<JobContext> job_context_from_env(bool prolog, const std::string& node_override, const EnvLookup& env) {
    const auto get = [&](const char* name) -> std::string {
        const char* v = env(name);
        return v ? v : "";
    };
    JobContext ctx;
    if (auto id = get("SLURM_JOB_ID"); !id.empty()) {
        auto v = str::to_long(id);
        if (!v || *v <= 0) return Error{"SLURM_JOB_ID='" + id + "' is not a job ID"};
        ctx.job_id = *v;
    } else if (prolog) {
        return Error{"--prolog needs SLURM_JOB_ID in the environment"};
    }

    ctx.node = node_override.empty() ? get("SLURMD_NODENAME") : node_override;
    if (ctx.node.empty()) {
        if (prolog) return Error{"--prolog needs SLURMD_NODENAME in the environment"};
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        ctx.node = str::split(host, '.').empty() ? host : str::split(host, '.').front();
    }

    std::string list = prolog ? get("SLURM_JOB_NODELIST") : get("SLURM_STEP_NODELIST");
    if (list.empty()) list = get("SLURM_JOB_NODELIST");
    if (!list.empty()) {
        auto nodes = hostlist::expand(list);
        if (!nodes) return Error{"node list: " + nodes.error()};
        ctx.nodes = std::move(nodes.value());
    }
    if (ctx.nodes.empty()) {
        if (prolog) return Error{"--prolog needs SLURM_JOB_NODELIST in the environment"};
        ctx.nodes = {ctx.node};
    }
    auto it = std::find(ctx.nodes.begin(), ctx.nodes.end(), ctx.node);
    if (it == ctx.nodes.end()) return Error{"this node (" + ctx.node + ") is not in the job's node list " + list};
    ctx.rank = static_cast<int>(it - ctx.nodes.begin());

    // SLURM_JOB_GPUS holds physical indices; CUDA_VISIBLE_DEVICES may hold UUIDs, which leave
    // the device list unknown (the backend then checks every GPU it can see).
    if (std::string gpus = get("SLURM_JOB_GPUS"); !gpus.empty()) {
        auto devices = parse_device_list(gpus);
        if (!devices) return Error{"SLURM_JOB_GPUS: " + devices.error()};
        ctx.devices = std::move(devices.value());
    } else if (auto devices = parse_device_list(get("CUDA_VISIBLE_DEVICES")); devices) {
        ctx.devices = std::move(devices.value());
    }
    return ctx;
}

}  // namespace ks::health
