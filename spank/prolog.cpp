// Job script context (slurmstepd spank prolog/epilog, root, one process per node and job): the
// health gate. Runs the checker with a hard deadline and turns its verdict into "run the job" or
// "drain this node with a precise reason and fail the prolog so that Slurm requeues the job".
#include "spank/spank_api.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "common/child_process.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/strings.h"
#include "common/trust.h"
#include "spank/core/gate_state.h"
#include "spank/core/job_topology.h"
#include "spank/core/report.h"
#include "spank/node_drain.h"
#include "spank/plugin_state.h"

namespace ks::spank {
namespace {

const log::Logger kLog("prolog");

std::string env_or(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

// The checker's whole environment: the job context it needs and nothing the user controls
// beyond validated values.
std::vector<std::string> checker_env(unsigned job_id, const std::string& node, const std::string& nodelist) {
    std::vector<std::string> env = {
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "SLURM_JOB_ID=" + std::to_string(job_id),
        "SLURM_JOB_NODELIST=" + nodelist,
        "SLURMD_NODENAME=" + node,
        "CUDA_DEVICE_ORDER=PCI_BUS_ID",
    };
    for (const char* name : {"SLURM_CONF", "SLURM_CLUSTER_NAME", "SLURM_JOB_PARTITION", "SLURM_JOB_GPUS",
                             "CUDA_VISIBLE_DEVICES", "SLURM_JOB_UID", "SLURM_JOB_GID"})
        if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
    return env;
}

// Wall-clock time with microseconds, comparable with `date +%s.%N` in the job.
std::string epoch_now() {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count();
    char buf[40];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(us / 1000000),
                  static_cast<long long>(us % 1000000));
    return buf;
}

bool file_exists(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0;
}

void log_checker_stderr(const std::string& text) {
    for (const auto& line : str::split(text, '\n')) kLog.verbose("checker: ", line);
}

struct JobContext {
    unsigned job_id = 0;
    std::string node, nodelist, partition, cluster;
};

bool job_context(spank_t sp, JobContext& job) {
    uint32_t id = 0;
    if (spank_get_item(sp, S_JOB_ID, &id) != ESPANK_SUCCESS) {
        kLog.error("cannot get the job ID from Slurm");
        return false;
    }
    job.job_id = id;
    job.node = env_or("SLURMD_NODENAME");
    job.nodelist = env_or("SLURM_JOB_NODELIST", std::getenv("SLURM_NODELIST") ? std::getenv("SLURM_NODELIST") : "");
    job.partition = env_or("SLURM_JOB_PARTITION");
    job.cluster = env_or("SLURM_CLUSTER_NAME", "cluster");
    if (job.node.empty()) {
        kLog.error("job ", id, ": SLURMD_NODENAME is not set");
        return false;
    }
    return true;
}

// The level this job runs at on this node: the user's request within the partition's limits.
// A request that submit could not judge and that breaks the limits is raised to the default.
CheckLevel job_level(const config::Config& cfg, const JobContext& job) {
    LevelPolicy policy = level_policy(cfg, job.partition);
    std::string asked = env_or(kCheckVar);
    std::optional<CheckLevel> requested;
    if (!asked.empty()) {
        requested = parse_level(asked);
        if (!requested) kLog.warning("job ", job.job_id, ": ignoring ", kCheckVar, "='", asked, "'");
    }
    auto level = resolve_level(requested, policy);
    if (!level) {
        kLog.warning("job ", job.job_id, ": ", level.error(), "; running level ",
                     level_name(policy.default_level));
        return policy.default_level;
    }
    return *level;
}

// Where the job sits in the topology kubeslurm-sync maintains; nothing when it is not known.
void add_topology(const config::Config& cfg, const JobContext& job, GateState& gate) {
    const std::string& path = cfg.str("TopologyFile");
    if (path.empty() || !file_exists(path)) return;
    auto topo = topology::load_json_file(path);
    if (!topo) {
        kLog.warning("job ", job.job_id, ": ", topo.error());
        return;
    }
    auto nodes = hostlist::expand(job.nodelist);
    if (!nodes) {
        kLog.warning("job ", job.job_id, ": node list '", job.nodelist, "': ", nodes.error());
        return;
    }
    gate.merge(job_topology_vars(*topo, *nodes, job.node));
}

void save_state(const config::Config& cfg, const JobContext& job, const GateState& gate) {
    std::string path = state_path(cfg.str("GateStateDir"), job.cluster, job.node, job.job_id);
    if (auto st = write_state(path, gate); !st) kLog.warning("job ", job.job_id, ": ", st.error());
}

}  // namespace

int prolog_gate(spank_t sp) {
    const Settings& settings = *state().settings;
    const config::Config& cfg = settings.config;
    JobContext job;
    if (!job_context(sp, job)) return -1;

    const CheckLevel level = job_level(cfg, job);
    GateState gate = {{"KUBESLURM_GPU_CHECK", std::string(level_name(level))}};
    add_topology(cfg, job, gate);
    if (level == CheckLevel::Off) {
        gate["KUBESLURM_GPU_CHECK_RESULT"] = "off";
        save_state(cfg, job, gate);
        kLog.info("job ", job.job_id, " on ", job.node, ": check off");
        return 0;
    }

    ChildSpec spec;
    spec.path = cfg.str("CheckerPath");
    spec.args = {"--prolog", "--level", std::string(level_name(level))};
    if (file_exists(settings.conf_path)) spec.args.insert(spec.args.end(), {"--config", settings.conf_path});
    spec.env = checker_env(job.job_id, job.node, job.nodelist);
    const long timeout_s = cfg.integer("CheckTimeout");
    spec.deadline = std::chrono::seconds(timeout_s);

    // Root runs only a checker that no one else could have written (sshd StrictModes); a refused
    // one is a checker that cannot run, and OnCheckerError decides.
    ChildOutcome out;
    if (auto trusted = trust::check(spec.path, trust::Kind::File, "CheckerPath"); !trusted) {
        out.failure = "refused to run: " + trusted.error();
    } else {
        kLog.verbose("job ", job.job_id, " on ", job.node, ": running ", spec.path, " --level ", level_name(level));
        out = run_child(spec);
    }
    log_checker_stderr(out.stderr_text);

    const OnError on_error = parse_on_error(cfg.str("OnCheckerError")).value_or(OnError::Run);
    Decision d = decide(out, on_error, timeout_s);
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", out.elapsed_s);
    gate["KUBESLURM_GPU_CHECK_RESULT"] = d.result;
    gate["KUBESLURM_GPU_CHECK_SUMMARY"] = d.summary;
    gate["KUBESLURM_GPU_CHECK_SECONDS"] = seconds;
    gate["KUBESLURM_GPU_CHECKS"] = d.checks;
    gate["KUBESLURM_GPU_CHECK_FINISHED"] = epoch_now();
    save_state(cfg, job, gate);

    const std::string head = "job " + std::to_string(job.job_id) + " on " + job.node + ": level " +
                             std::string(level_name(level)) + ": ";
    if (d.result == "error" && !d.fail) {
        kLog.error(head, d.summary, " (OnCheckerError=run: the job runs)");
    } else if (d.fail) {
        kLog.error(head, d.summary, " in ", seconds, " s");
    } else {
        kLog.info(head, d.summary, " in ", seconds, " s");
    }
    if (d.drain) {
        // Drained before the prolog fails, so that Slurm keeps this reason instead of writing
        // its own "Prolog error" (it only drains nodes that are not drained yet).
        if (auto st = drain_node(job.node, d.reason); !st)
            kLog.error(head, "cannot drain: ", st.error());
        else
            kLog.info(head, "drained ", job.node, ": ", d.reason);
    }
    return d.fail ? -1 : 0;
}

int prolog_without_config(spank_t sp, const std::string& error) {
    uint32_t id = 0;
    (void)spank_get_item(sp, S_JOB_ID, &id);
    kLog.error("job ", id, " on ", env_or("SLURMD_NODENAME", "?"), ": kubeslurm.conf is unusable, the job runs "
               "without the health check (a configuration error never drains a node): ", error);
    return 0;
}

int prolog_cleanup(spank_t sp) {
    JobContext job;
    if (!job_context(sp, job)) return 0;
    std::string path = state_path(state().settings->config.str("GateStateDir"), job.cluster, job.node, job.job_id);
    unlink(path.c_str());
    return 0;
}

}  // namespace ks::spank
