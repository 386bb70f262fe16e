// The C++ core of select/cons_tres_topo: configuration, the live topology, the mapping between
// Slurm node indexes and topology nodes, and the plan job_test follows. Exposed through the C ABI
// of core.h; no exception leaves this file.
#include "core.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/log.h"
#include "live_topology.h"
#include "placement/placement.h"
#include "placement/policy_source.h"
#include "placement/queue.h"
#include "topology/topology.h"

namespace ks::select {
namespace {

constexpr log::Logger kLog("select/cons_tres_topo");
constexpr uint32_t kNotInSlurm = UINT32_MAX;

// Now in whole seconds of a monotonic clock, the queue policy's time base: a step of the wall
// clock neither ends nor stretches a wait.
std::time_t monotonic_now() {
    using namespace std::chrono;
    return std::time_t(duration_cast<seconds>(steady_clock::now().time_since_epoch()).count());
}

void to_slurm_log(log::Level level, const std::string& line) {
    ks_sel_log(static_cast<int>(level), line.c_str());
}

// Slurm's node table joined with topology.json. Slurm nodes missing from the file become blocks
// of their own; file nodes unknown to Slurm are never available.
struct NodeMap {
    bool valid = false;
    uint64_t generation = 0;
    topology::Topology topo;
    std::vector<int64_t> slurm_to_topo;  // -1 for holes in Slurm's table
    std::vector<uint32_t> topo_to_slurm; // kNotInSlurm for file-only nodes
    size_t unknown_to_file = 0;
};

class Core {
public:
    int plan(const ks_sel_job_t& job, const ks_sel_nodes_t& nodes, ks_sel_plan_t& out);
    // At slurmctld's start: false when kubeslurm.conf cannot be used (logged: file, line, key).
    bool start() {
        std::lock_guard lock(m_mutex);
        m_config_loaded = true;
        return load_config();
    }
    void invalidate(bool reload_config) {
        std::lock_guard lock(m_mutex);
        m_map.valid = false;
        if (reload_config) m_config_loaded = false;
    }

private:
    bool load_config();
    void ensure_config();
    void ensure_map(const topology::Topology* file, const ks_sel_nodes_t& nodes);
    // The shim's node view `which` in topology order; nullopt when the shim does not know it.
    std::optional<std::vector<bool>> view(const ks_sel_nodes_t& nodes, int which);
    placement::QueueSettings settings(const char* scheduler_parameters) const;
    void apply(placement::Decision&& decision, ks_sel_plan_t& out);

    std::mutex m_mutex;
    bool m_config_loaded = false;
    bool m_config_good = false;  // m_config came from the file (else: no file was ever usable)
    config::Config m_config;
    LiveTopology m_live;
    placement::PolicySource m_policies{kLog};
    placement::QueuePolicy m_queue;
    NodeMap m_map;
    std::vector<uint8_t> m_bytes;  // the shim fills node views here
};

// kubeslurm.conf as a whole or not at all: a file with one bad value keeps the last good
// configuration (TopologyFile included), never defaults for part of it.
bool Core::load_config() {
    log::set_sink(to_slurm_log);
    log::set_level(log::Level::Debug);  // Slurm's own log level filters
    const char* env = std::getenv("KUBESLURM_CONF");
    std::string path = env && *env ? env : config::kDefaultPath;
    auto cfg = config::Config::load(path, /*allow_missing=*/true);
    if (!cfg) {
        kLog.error(cfg.error(), m_config_good ? " (keeping the last good configuration)"
                                              : " (placing every job as cons_tres would)");
        return false;
    }
    m_config = std::move(cfg).value();
    m_config_good = true;
    m_live.set_path(m_config.str("TopologyFile"));
    m_map.valid = false;
    kLog.verbose("config ", path, ": TopologyFile=", m_config.str("TopologyFile"),
                 " TopologyPolicy=", m_config.str("TopologyPolicy"),
                 " TopologyMaxTries=", m_config.integer("TopologyMaxTries"),
                 " TopologyMaxWait=", m_config.integer("TopologyMaxWait"),
                 " TopologyWaitCycles=", m_config.integer("TopologyWaitCycles"),
                 " TopologyWaitLimitPercent=", m_config.integer("TopologyWaitLimitPercent"),
                 " TopologyIdleWaitPercent=", m_config.integer("TopologyIdleWaitPercent"));
    return true;
}

void Core::ensure_config() {
    if (m_config_loaded) return;
    m_config_loaded = true;  // once per start or reconfigure, and so its error once per change
    load_config();
}

placement::QueueSettings Core::settings(const char* scheduler_parameters) const {
    placement::QueueSettings s;
    s.max_wait = m_config.integer("TopologyMaxWait");
    s.wait_cycles = uint32_t(m_config.integer("TopologyWaitCycles"));
    s.wait_limit_percent = uint32_t(m_config.integer("TopologyWaitLimitPercent"));
    s.idle_wait_percent = uint32_t(m_config.integer("TopologyIdleWaitPercent"));
    s.max_tries = std::min<size_t>(size_t(m_config.integer("TopologyMaxTries")), KS_SEL_MAX_TRIES);
    s.bf_interval = placement::backfill_interval(scheduler_parameters ? scheduler_parameters : "");
    return s;
}

void Core::ensure_map(const topology::Topology* file, const ks_sel_nodes_t& slurm) {
    const size_t node_count = slurm.count;
    uint64_t gen = m_live.generation();
    if (m_map.valid && m_map.generation == gen && m_map.slurm_to_topo.size() == node_count) return;

    std::vector<topology::Node> nodes;
    if (file) nodes = file->nodes();
    std::vector<const char*> names(node_count, nullptr);
    size_t unknown = 0;
    for (size_t i = 0; i < node_count; i++) {
        names[i] = slurm.name(i);
        if (names[i] && (!file || file->index_of(names[i]) < 0)) {
            nodes.push_back(topology::Node{names[i], "", {}});
            unknown++;
        }
    }
    auto built = topology::Topology::build(std::move(nodes));
    if (!built) {
        kLog.error("cannot join Slurm's nodes with the topology: ", built.error());
        built = topology::Topology::build({});
    }
    m_map.topo = std::move(built).value();
    m_map.slurm_to_topo.assign(node_count, -1);
    m_map.topo_to_slurm.assign(m_map.topo.size(), kNotInSlurm);
    for (size_t i = 0; i < node_count; i++) {
        if (!names[i]) continue;
        int64_t t = m_map.topo.index_of(names[i]);
        m_map.slurm_to_topo[i] = t;
        if (t >= 0) m_map.topo_to_slurm[size_t(t)] = uint32_t(i);
    }
    if (unknown && file && unknown != m_map.unknown_to_file)
        kLog.info(unknown, " Slurm node(s) are not in ", m_live.path(),
                  ": each is placed as a block of its own");
    m_map.unknown_to_file = unknown;
    m_map.generation = gen;
    m_map.valid = true;
}

std::optional<std::vector<bool>> Core::view(const ks_sel_nodes_t& nodes, int which) {
    m_bytes.assign(nodes.count, 0);
    if (!nodes.fill(nodes.ctx, which, m_bytes.data(), nodes.count)) return std::nullopt;
    std::vector<bool> out(m_map.topo.size(), false);
    for (size_t i = 0; i < nodes.count; i++)
        if (m_bytes[i] && m_map.slurm_to_topo[i] >= 0) out[size_t(m_map.slurm_to_topo[i])] = true;
    return out;
}

// Thread-local storage behind the plan's set pointers.
thread_local std::vector<std::vector<uint32_t>> t_sets;

void copy_text(char* dst, size_t size, const std::string& text) {
    std::snprintf(dst, size, "%s", text.c_str());
}

void Core::apply(placement::Decision&& decision, ks_sel_plan_t& out) {
    using placement::Outcome;
    switch (decision.outcome) {
        case Outcome::Forward: out.action = KS_SEL_FORWARD; return;
        case Outcome::Compare: out.action = KS_SEL_COMPARE; break;
        case Outcome::Try: out.action = KS_SEL_TRY; break;
        case Outcome::TryOrPend:
        case Outcome::Pend:
            out.action = KS_SEL_TRY;
            out.fallback = KS_SEL_FALLBACK_PEND;
            break;
    }
    copy_text(out.reason, sizeof(out.reason), decision.reason);
    const auto& cands = decision.candidates;
    const size_t tries = std::min<size_t>(cands.size(), KS_SEL_MAX_TRIES);
    t_sets.resize(tries);
    for (size_t c = 0; c < tries; c++) {
        auto& set = t_sets[c];
        set.clear();
        for (uint32_t t : cands[c].nodes)
            if (m_map.topo_to_slurm[t] != kNotInSlurm) set.push_back(m_map.topo_to_slurm[t]);
        out.sets[c] = set.data();
        out.set_len[c] = set.size();
    }
    out.tries = tries;
}

int Core::plan(const ks_sel_job_t& slurm_job, const ks_sel_nodes_t& nodes, ks_sel_plan_t& out) {
    std::lock_guard lock(m_mutex);
    ensure_config();
    if (!m_config_good) return 0;  // FORWARD: no usable kubeslurm.conf, and no partial defaults
    const topology::Topology* file = m_live.current();
    placement::QueueJob job;
    job.id = slurm_job.job_id;
    job.policy = m_policies.resolve(
        m_config, placement::policy_in_spank_env(slurm_job.spank_env, slurm_job.spank_env_size),
        slurm_job.partition, job.id);
    job.min_nodes = slurm_job.min_nodes ? slurm_job.min_nodes : 1;
    job.max_nodes = slurm_job.max_nodes;
    job.will_run = slurm_job.will_run != 0;
    job.time_limit = placement::Seconds(slurm_job.time_limit_s);
    if (!placement::needs_nodes(job, file != nullptr)) return 0;  // FORWARD: no bitmap converted
    copy_text(out.policy, sizeof(out.policy), std::string(placement::to_string(job.policy)));

    ensure_map(file, nodes);
    placement::NodeViews views;
    views.available = view(nodes, KS_SEL_NODES_AVAIL).value_or(std::vector<bool>(m_map.topo.size()));
    views.free_now = views.available;
    if (auto idle = view(nodes, KS_SEL_NODES_IDLE))
        for (size_t t = 0; t < views.free_now.size(); t++) views.free_now[t] = views.available[t] && (*idle)[t];
    auto usable = view(nodes, KS_SEL_NODES_USABLE);
    // Only an idle wait reads starts: the other jobs pay no O(nodes) conversion for it.
    std::optional<std::vector<bool>> idle_anywhere;
    if (m_config.integer("TopologyIdleWaitPercent") > 0 && m_config.integer("TopologyMaxWait") > 0)
        idle_anywhere = view(nodes, KS_SEL_NODES_IDLE_ANYWHERE);
    if (usable) views.usable = &*usable;
    if (idle_anywhere) views.idle_anywhere = &*idle_anywhere;
    apply(m_queue.decide(m_map.topo, job, views, settings(slurm_job.scheduler_parameters),
                         monotonic_now()),
          out);
    return 0;
}

Core& core() {
    static Core* instance = new Core();  // never destroyed: slurmctld may call us while exiting
    return *instance;
}

}  // namespace
}  // namespace ks::select

extern "C" int ks_sel_plan(const ks_sel_job_t* job, const ks_sel_nodes_t* nodes,
                           ks_sel_plan_t* plan) {
    std::memset(plan, 0, sizeof(*plan));
    try {
        int rc = ks::select::core().plan(*job, *nodes, *plan);
        if (rc == 0) return 0;
    } catch (const std::exception& e) {
        ks_sel_log(KS_SEL_LOG_ERROR,
                   ("select/cons_tres_topo: placement failed, placing without topology: " +
                    std::string(e.what())).c_str());
    } catch (...) {
        ks_sel_log(KS_SEL_LOG_ERROR, "select/cons_tres_topo: placement failed (unknown error)");
    }
    std::memset(plan, 0, sizeof(*plan));
    return -1;
}

extern "C" int ks_sel_start(void) {
    try {
        return ks::select::core().start() ? 0 : -1;
    } catch (const std::exception& e) {
        ks_sel_log(KS_SEL_LOG_ERROR, ("select/cons_tres_topo: " + std::string(e.what())).c_str());
    } catch (...) {
    }
    return -1;
}

extern "C" void ks_sel_invalidate(int reload_config) {
    try {
        ks::select::core().invalidate(reload_config != 0);
    } catch (...) {
    }
}

extern "C" void ks_sel_shutdown(void) {
    try {
        ks::select::core().invalidate(true);
    } catch (...) {
    }
}
