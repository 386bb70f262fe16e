// The C++ core of select/cons_tres_topo: configuration, the live topology, the mapping between
// Slurm node indexes and topology nodes, and the plan job_test follows. Exposed through the C ABI
// of core.h; no exception leaves this file.
#include "core.h"

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
#include "policy_source.h"
#include "wait_tracker.h"
#include "topology/topology.h"

namespace ks::select {
namespace {

constexpr log::Logger kLog("select/cons_tres_topo");
constexpr uint32_t kNotInSlurm = UINT32_MAX;
constexpr size_t kWillRunTries = 1;  // backfill asks for every pending job: keep it cheap

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
    void invalidate(bool reload_config) {
        std::lock_guard lock(m_mutex);
        m_map.valid = false;
        if (reload_config) m_config_loaded = false;
    }

private:
    void ensure_config();
    std::optional<placement::Policy> policy_to_plan(const ks_sel_job_t& job,
                                                    const topology::Topology* file);
    // The shim's node view `which` in topology order; nullopt when the shim does not know it.
    std::optional<std::vector<bool>> view(const ks_sel_nodes_t& nodes, int which);
    bool plan_will_run(const ks_sel_job_t& job, const topology::Topology& topo,
                       const std::vector<bool>& available, const std::vector<bool>& free_now,
                       const placement::Request& request, long max_wait, std::time_t now,
                       std::vector<placement::Candidate>& cands, ks_sel_plan_t& out);
    void ensure_map(const topology::Topology* file, const ks_sel_nodes_t& nodes);
    // Seconds without a start after which the head's wait only idles the nodes; 0 = never ends
    // early. A share of TopologyMaxWait, so that it scales with the jobs' run times too.
    long idle_wait() const {
        return (m_config.integer("TopologyMaxWait") * m_config.integer("TopologyIdleWaitPercent") +
                99) / 100;
    }
    bool idle_over(const ks_sel_job_t& job, std::time_t now) const {
        return idle_wait() > 0 && m_waits.idle_for(job.job_id, now) >= idle_wait();
    }

    std::mutex m_mutex;
    bool m_config_loaded = false;
    config::Config m_config;
    LiveTopology m_live;
    PolicySource m_policies;
    WaitTracker m_waits;
    NodeMap m_map;
    std::vector<uint8_t> m_bytes;  // the shim fills node views here
};

void Core::ensure_config() {
    if (m_config_loaded) return;
    m_config_loaded = true;
    log::set_sink(to_slurm_log);
    log::set_level(log::Level::Debug);  // Slurm's own log level filters
    const char* env = std::getenv("KUBESLURM_CONF");
    std::string path = env && *env ? env : config::kDefaultPath;
    auto cfg = config::Config::load(path, /*allow_missing=*/true);
    if (cfg) {
        m_config = std::move(cfg).value();
    } else {
        kLog.error(cfg.error(), " (using built-in defaults)");
        m_config = config::Config();
    }
    m_live.set_path(m_config.str("TopologyFile"));
    m_map.valid = false;
    kLog.verbose("config ", path, ": TopologyFile=", m_config.str("TopologyFile"),
                 " TopologyPolicy=", m_config.str("TopologyPolicy"),
                 " TopologyMaxTries=", m_config.integer("TopologyMaxTries"),
                 " TopologyMaxWait=", m_config.integer("TopologyMaxWait"),
                 " TopologyIdleWaitPercent=", m_config.integer("TopologyIdleWaitPercent"));
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

// Nodes the job could ever be planned on: `available` within the usable nodes, if known.
std::vector<bool> could_use(const std::vector<bool>& available, const placement::Request& request) {
    if (!request.usable) return available;
    std::vector<bool> out(available.size(), false);
    for (size_t i = 0; i < out.size(); i++) out[i] = available[i] && (*request.usable)[i];
    return out;
}

// Thread-local storage behind the plan's set pointers.
thread_local std::vector<std::vector<uint32_t>> t_sets;

void copy_text(char* dst, size_t size, const std::string& text) {
    std::snprintf(dst, size, "%s", text.c_str());
}

std::string strict_reason(const topology::Topology& topo, placement::Policy policy,
                          uint32_t nodes) {
    auto what = policy == placement::Policy::Leaf ? topology::level_name(topology::Level::Leaf)
                                                  : topology::level_name(topology::Level::Block);
    return "kubeslurm: waiting for one " + std::string(what) + " with " + std::to_string(nodes) +
           " free nodes";
}

// Backfill asks when and where a multi-node `prefer` job could start. `available` holds the
// nodes it may plan on, busy ones included; `free_now` the idle ones among them. Fills `cands`
// and the plan's action; false when the plan needs no candidate sets: FORWARD (planned as stock
// Slurm would) or a PEND without tries (backfill neither starts it nor reserves nodes for it).
bool Core::plan_will_run(const ks_sel_job_t& job, const topology::Topology& topo,
                         const std::vector<bool>& available, const std::vector<bool>& free_now,
                         const placement::Request& request, long max_wait, std::time_t now,
                         std::vector<placement::Candidate>& cands, ks_sel_plan_t& out) {
    auto minimum = placement::minimum_domains(topo, request.usable, request.min_nodes);
    auto fits_now = placement::candidates(topo, free_now, request, 1);
    if (!fits_now.empty() && minimum && fits_now.front().domains <= *minimum) {
        cands = std::move(fits_now);  // it can start now in its fewest domains
        return true;
    }
    const auto reachable = could_use(available, request);
    if (max_wait <= 0 || !minimum ||
        !placement::minimum_domains(topo, &reachable, request.min_nodes)) {
        // No waiting (or too few nodes to plan on): restricting the answer would plan the job
        // later than it can start and skew every reservation, so job_test compares both and
        // keeps the best placement only when it starts no later.
        out.action = KS_SEL_COMPARE;
        if (minimum)
            if (auto soonest = placement::soonest_minimum_span(topo, reachable, free_now, request))
                cands = {std::move(*soonest)};
        return true;
    }
    // The head of the queue, once its wait is over, is planned as stock Slurm would: its earliest
    // nodes anywhere, the free ones held for it. Kept on its target instead (when it started at
    // most max_wait later there), it lost the nodes that freed elsewhere to the jobs behind and
    // started late (benchmarks.md).
    const bool head = m_waits.tried(job.job_id);
    if (head && (m_waits.elapsed(job.job_id, now).value_or(0) >= max_wait || idle_over(job, now))) {
        out.action = KS_SEL_FORWARD;
        return false;
    }
    // Behind the head, and the head during its wait: it starts only in its fewest domains
    // (above) and holds no reservation, so the free nodes stay open to every job that fits them
    // in its fewest domains, the head's own target included. Reserving the target for the
    // waiting head idled its free nodes until the rest drained, and cost more makespan than
    // it gained locality (benchmarks.md).
    out.action = KS_SEL_TRY;
    out.fallback = KS_SEL_FALLBACK_PEND;
    const std::string domains = std::to_string(*minimum) + " NVLink domain(s)";
    copy_text(out.reason, sizeof(out.reason),
              head ? "kubeslurm: waiting for " + domains
                   : "kubeslurm: behind the head of the queue, not free in " + domains + " now");
    return false;
}

// The job's policy, or nullopt when its plan is FORWARD whatever the nodes.
std::optional<placement::Policy> Core::policy_to_plan(const ks_sel_job_t& job,
                                                      const topology::Topology* file) {
    auto policy = m_policies.resolve(m_config, job.policy, job.partition, job.job_id);
    if (policy == placement::Policy::Any) return std::nullopt;
    bool strict = placement::is_strict(policy);
    if (!strict && !file) return std::nullopt;  // nothing to prefer
    // One node spans one block anywhere: backfill's plan of it needs no restriction.
    if (!strict && job.will_run && job.min_nodes <= 1 && job.max_nodes <= 1) return std::nullopt;
    return policy;
}

std::optional<std::vector<bool>> Core::view(const ks_sel_nodes_t& nodes, int which) {
    m_bytes.assign(nodes.count, 0);
    if (!nodes.fill(nodes.ctx, which, m_bytes.data(), nodes.count)) return std::nullopt;
    std::vector<bool> out(m_map.topo.size(), false);
    for (size_t i = 0; i < nodes.count; i++)
        if (m_bytes[i] && m_map.slurm_to_topo[i] >= 0) out[size_t(m_map.slurm_to_topo[i])] = true;
    return out;
}

int Core::plan(const ks_sel_job_t& job, const ks_sel_nodes_t& nodes, ks_sel_plan_t& out) {
    std::lock_guard lock(m_mutex);
    ensure_config();
    const topology::Topology* file = m_live.current();
    auto to_plan = policy_to_plan(job, file);
    if (!to_plan) return 0;  // FORWARD: the shim converts no bitmap
    auto policy = *to_plan;
    copy_text(out.policy, sizeof(out.policy), std::string(placement::to_string(policy)));

    ensure_map(file, nodes);
    const auto& topo = m_map.topo;

    auto available = view(nodes, KS_SEL_NODES_AVAIL).value_or(std::vector<bool>(topo.size()));
    auto free_now = available;
    if (auto idle = view(nodes, KS_SEL_NODES_IDLE))
        for (size_t t = 0; t < free_now.size(); t++) free_now[t] = available[t] && (*idle)[t];
    auto usable_nodes = view(nodes, KS_SEL_NODES_USABLE);
    placement::Request request;
    request.min_nodes = job.min_nodes ? job.min_nodes : 1;
    request.max_nodes = job.max_nodes > request.min_nodes ? job.max_nodes : 0;
    request.policy = policy;
    if (usable_nodes) request.usable = &*usable_nodes;

    const std::time_t now = monotonic_now();
    if (!job.will_run) m_waits.note_tried(job.job_id, now);
    // Starts are seen in the node table itself: each job's own view differs (its partition,
    // backfill's snapshot), and comparing two jobs' views would count starts that never were.
    if (idle_wait() > 0)
        if (auto idle_anywhere = view(nodes, KS_SEL_NODES_IDLE_ANYWHERE))
            m_waits.observe_free(*idle_anywhere, now);
    size_t max_tries = size_t(m_config.integer("TopologyMaxTries"));
    if (job.will_run) max_tries = std::min(max_tries, kWillRunTries);
    long max_wait = m_config.integer("TopologyMaxWait");
    max_tries = std::min<size_t>(max_tries, KS_SEL_MAX_TRIES);
    auto cands = placement::candidates(topo, available, request, max_tries);

    bool strict = placement::is_strict(policy);
    // The head of the queue waits for its fewest domains from the first time Slurm tries it
    // without room there, whether or not it could start wider now: the jobs behind it take the
    // nodes as they free, so "could start wider" may never come and the wait would last until
    // its fewest domains drained.
    std::optional<uint32_t> minimum;
    long waited = 0;
    if (!strict && !job.will_run && max_wait > 0) {
        minimum = placement::minimum_domains(topo, request.usable, request.min_nodes);
        if (minimum && (cands.empty() || cands.front().domains > *minimum))
            waited = m_waits.waited(job.job_id, now);
    }
    out.fallback = strict ? KS_SEL_FALLBACK_PEND : KS_SEL_FALLBACK_ANY;
    out.action = KS_SEL_TRY;
    if (cands.empty()) {
        if (!strict) {
            out.action = KS_SEL_FORWARD;  // let cons_tres judge (e.g. too few free nodes)
            return 0;
        }
        std::string why = placement::pending_reason(topo, available, request);
        copy_text(out.reason, sizeof(out.reason),
                  why.empty() ? strict_reason(topo, policy, request.min_nodes) : why);
        return 0;
    }
    copy_text(out.reason, sizeof(out.reason), strict_reason(topo, policy, request.min_nodes));

    if (!strict && job.will_run) {
        if (!plan_will_run(job, topo, available, free_now, request, max_wait, now, cands, out))
            return 0;
    } else if (minimum && cands.front().domains > *minimum && waited < max_wait &&
               !idle_over(job, now)) {
        out.fallback = KS_SEL_FALLBACK_PEND;  // the head waits for its fewest domains
        copy_text(out.reason, sizeof(out.reason),
                  "kubeslurm: waiting up to " + std::to_string(max_wait - waited) + " s for " +
                      std::to_string(*minimum) + " NVLink domain(s) (" +
                      std::to_string(cands.front().domains) + " free now)");
        return 0;
    }

    t_sets.resize(cands.size());
    for (size_t c = 0; c < cands.size(); c++) {
        auto& set = t_sets[c];
        set.clear();
        for (uint32_t t : cands[c].nodes)
            if (m_map.topo_to_slurm[t] != kNotInSlurm) set.push_back(m_map.topo_to_slurm[t]);
        out.sets[c] = set.data();
        out.set_len[c] = set.size();
    }
    out.tries = cands.size();
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
