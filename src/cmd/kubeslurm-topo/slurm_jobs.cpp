#include "slurm_jobs.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#include <string_view>

#include "common/hostlist.h"
#include "common/slurm_api.h"
#include "slurm/nodes.h"

namespace ks::topo_cli {
namespace {

using slurm_api::last_error;

// Base job state names (libslurm's own helper is not in the public headers).
std::string state_name(uint32_t state) {
    static const char* const names[] = {"PENDING", "RUNNING", "SUSPENDED", "COMPLETED", "CANCELLED", "FAILED",
                                        "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY"};
    uint32_t base = state & JOB_STATE_BASE;
    return base < sizeof names / sizeof names[0] ? names[base] : "UNKNOWN";
}

}  // namespace

Result<JobPlacement> load_job(uint32_t job_id) {
    slurm::init();
    job_info_msg_t* msg = nullptr;
    if (slurm_api::load_job(&msg, job_id, SHOW_ALL) != SLURM_SUCCESS)
        return Error{last_error(("job " + std::to_string(job_id)).c_str())};
    JobPlacement p;
    p.job_id = job_id;
    if (msg->record_count == 0) {
        slurm_free_job_info_msg(msg);
        return Error{"job " + std::to_string(job_id) + ": not found"};
    }
    const slurm_job_info_t& j = msg->job_array[0];
    p.state = state_name(j.job_state);
    // The select plugin's words for a waiting job: its SystemComment from 23.02 on (slurmctld
    // replaces a select plugin's pending reason with Resources), the pending reason before.
    if (j.system_comment && std::string_view(j.system_comment).starts_with("kubeslurm:"))
        p.reason = j.system_comment;
    else if (j.state_desc)
        p.reason = j.state_desc;
    if (j.partition) p.partition = j.partition;
    if (j.nodes) p.nodes = j.nodes;
    slurm_free_job_info_msg(msg);
    return p;
}

Result<std::vector<std::string>> partition_nodes(const std::string& partition) {
    slurm::init();
    partition_info_msg_t* msg = nullptr;
    if (slurm_load_partitions(0, &msg, SHOW_ALL) != SLURM_SUCCESS) return Error{last_error("slurm_load_partitions")};
    std::string nodes;
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const partition_info_t& p = msg->partition_array[i];
        if (p.name && partition == p.name && p.nodes) nodes = p.nodes;
    }
    slurm_free_partition_info_msg(msg);
    return hostlist::expand(nodes);
}

}  // namespace ks::topo_cli
