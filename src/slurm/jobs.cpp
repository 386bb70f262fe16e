#include "slurm/jobs.h"

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

#include "common/slurm_api.h"
#include "common/strings.h"
#include "slurm/nodes.h"

namespace ks::slurm {
namespace {

// libslurm takes non-const char*; the strings outlive each call.
char* c_or_null(std::string& s) { return s.empty() ? nullptr : s.data(); }

std::vector<char*> c_array(std::vector<std::string>& items) {
    std::vector<char*> out;
    for (auto& s : items) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

const char* base_state_name(uint32_t state) {
    switch (state & JOB_STATE_BASE) {
    case JOB_PENDING: return "PENDING";
    case JOB_RUNNING: return "RUNNING";
    case JOB_SUSPENDED: return "SUSPENDED";
    case JOB_COMPLETE: return "COMPLETED";
    case JOB_CANCELLED: return "CANCELLED";
    case JOB_FAILED: return "FAILED";
    case JOB_TIMEOUT: return "TIMEOUT";
    case JOB_NODE_FAIL: return "NODE_FAIL";
    case JOB_PREEMPTED: return "PREEMPTED";
    case JOB_BOOT_FAIL: return "BOOT_FAIL";
    case JOB_DEADLINE: return "DEADLINE";
    case JOB_OOM: return "OUT_OF_MEMORY";
    default: return "UNKNOWN";
    }
}

bool gone(int err) { return err == ESLURM_INVALID_JOB_ID || err == ESLURM_ALREADY_DONE; }

}  // namespace

Result<uint32_t> submit(const BatchJob& job) {
    init();
    job_desc_msg_t desc;
    slurm_init_job_desc_msg(&desc);
    std::string name = job.name, script = job.script, node = job.node, resv = job.reservation,
                partition = job.partition, work_dir = "/", out = "/dev/null";
    std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin"}, spank = job.spank_env;
    auto env_c = c_array(env), spank_c = c_array(spank);
    desc.name = c_or_null(name);
    desc.script = c_or_null(script);
    desc.req_nodes = c_or_null(node);
    desc.reservation = c_or_null(resv);
    desc.partition = c_or_null(partition);
    desc.work_dir = work_dir.data();
    desc.std_out = out.data();
    desc.std_err = out.data();
    desc.min_nodes = 1;
    desc.max_nodes = 1;
    desc.time_limit = static_cast<uint32_t>(job.time_limit_min);
    desc.user_id = getuid();
    desc.group_id = getgid();
    desc.environment = env_c.data();
    desc.env_size = static_cast<uint32_t>(env.size());
    if (!spank.empty()) {
        desc.spank_job_env = spank_c.data();
        desc.spank_job_env_size = static_cast<uint32_t>(spank.size());
    }
    submit_response_msg_t* resp = nullptr;
    if (slurm_submit_batch_job(&desc, &resp) != SLURM_SUCCESS)
        return Error{slurm_api::last_error("slurm_submit_batch_job")};
    const uint32_t id = resp->job_id;
    slurm_free_submit_response_response_msg(resp);
    return id;
}

Result<std::optional<JobState>> job_state(uint32_t job_id) {
    init();
    job_info_msg_t* msg = nullptr;
    if (slurm_api::load_job(&msg, job_id, SHOW_ALL) != SLURM_SUCCESS) {
        if (gone(errno)) return std::optional<JobState>{};
        return Error{slurm_api::last_error("slurm_load_job")};
    }
    std::optional<JobState> out;
    if (msg->record_count > 0) {
        const slurm_job_info_t& j = msg->job_array[0];
        const uint32_t base = j.job_state & JOB_STATE_BASE;
        // A job on its way back to the queue (a failed prolog) passes through an ended base state
        // with a requeue flag: not finished.
        const bool requeueing = j.job_state & (JOB_REQUEUE | JOB_REQUEUE_HOLD | JOB_SPECIAL_EXIT | JOB_REQUEUE_FED);
        out = JobState{base_state_name(j.job_state),
                       base != JOB_PENDING && base != JOB_RUNNING && base != JOB_SUSPENDED && !requeueing,
                       static_cast<int>(WIFEXITED(j.exit_code) ? WEXITSTATUS(j.exit_code)
                                                               : 128 + WTERMSIG(j.exit_code))};
    }
    slurm_free_job_info_msg(msg);
    return out;
}

Result<std::vector<uint32_t>> jobs_in_reservation(const std::string& name) {
    init();
    job_info_msg_t* msg = nullptr;
    if (slurm_load_jobs(0, &msg, SHOW_ALL) != SLURM_SUCCESS) return Error{slurm_api::last_error("slurm_load_jobs")};
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const slurm_job_info_t& j = msg->job_array[i];
        const uint32_t base = j.job_state & JOB_STATE_BASE;
        if (j.resv_name && name == j.resv_name && (base == JOB_PENDING || base == JOB_RUNNING || base == JOB_SUSPENDED))
            out.push_back(j.job_id);
    }
    slurm_free_job_info_msg(msg);
    return out;
}

Status cancel(uint32_t job_id) {
    init();
    if (slurm_api::kill_job(job_id, SIGKILL) != SLURM_SUCCESS && !gone(errno))
        return Error{slurm_api::last_error("slurm_kill_job")};
    return {};
}

Status create_reservation(const std::string& name, const std::string& node, const std::string& user,
                          int duration_min) {
    init();
    resv_desc_msg_t desc;
    slurm_init_resv_desc_msg(&desc);
    std::string n = name, nodes = node, users = user;
    desc.name = n.data();
    desc.node_list = nodes.data();
    desc.users = users.data();
    desc.start_time = std::time(nullptr);
    desc.duration = static_cast<uint32_t>(duration_min);
    desc.flags = RESERVE_FLAG_MAINT | RESERVE_FLAG_IGN_JOBS;
    char* created = slurm_create_reservation(&desc);
    if (!created) return Error{slurm_api::last_error("slurm_create_reservation")};
    free(created);
    return {};
}

Status delete_reservation(const std::string& name) {
    init();
    std::string n = name;
    reservation_name_msg_t msg{};
    msg.name = n.data();
    if (slurm_delete_reservation(&msg) != SLURM_SUCCESS && errno != ESLURM_RESERVATION_INVALID)
        return Error{slurm_api::last_error("slurm_delete_reservation")};
    return {};
}

Result<std::vector<Reservation>> reservations(const std::string& prefix) {
    init();
    reserve_info_msg_t* msg = nullptr;
    if (slurm_load_reservations(0, &msg) != SLURM_SUCCESS)
        return Error{slurm_api::last_error("slurm_load_reservations")};
    std::vector<Reservation> out;
    for (uint32_t i = 0; i < msg->record_count; ++i) {
        const reserve_info_t& r = msg->reservation_array[i];
        if (r.name && str::starts_with(r.name, prefix)) out.push_back({r.name, r.node_list ? r.node_list : ""});
    }
    slurm_free_reservation_info_msg(msg);
    return out;
}

}  // namespace ks::slurm
