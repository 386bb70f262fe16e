// The queue side of placement in slurmctld: for one job_test call, what select/cons_tres_topo
// does with a job — pass it to cons_tres untouched, try node sets best first, let backfill compare
// a plan in the fewest domains with its earliest anywhere, or keep it pending. A job under
// `prefer` that heads the queue without room in its fewest NVLink domains waits for them for a
// bounded time (see max_wait_for). Pure: Slurm's node views and the time come in, a Decision
// goes out; the select plugin reads Slurm state, calls decide(), and applies the outcome.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "placement/placement.h"
#include "placement/wait_tracker.h"
#include "topology/topology.h"

namespace ks::placement {

using Seconds = long;

// The wait's settings (kubeslurm.conf) and the scheduler cadence they are expressed in.
struct QueueSettings {
    Seconds max_wait = 600;           // TopologyMaxWait: upper bound in seconds; 0 = never wait
    uint32_t wait_cycles = 2;         // TopologyWaitCycles: at least this many backfill cycles
    uint32_t wait_limit_percent = 20;  // TopologyWaitLimitPercent: this share of the time limit
    uint32_t idle_wait_percent = 33;  // TopologyIdleWaitPercent: of the job's wait
    size_t max_tries = kDefaultMaxCandidates;  // TopologyMaxTries
    Seconds bf_interval = 30;         // slurm.conf SchedulerParameters=bf_interval (Slurm's default)
};

// bf_interval from slurm.conf's SchedulerParameters (comma-separated key=value); Slurm's default
// of 30 s when absent or malformed, as slurmctld itself falls back.
Seconds backfill_interval(std::string_view scheduler_parameters);

// The longest a job with this time limit (0 = none known) waits for its fewest domains:
//   min(TopologyMaxWait, max(TopologyWaitCycles × bf_interval, TopologyWaitLimitPercent % × limit))
// Cycles: a waiting job is looked at again only as often as backfill runs, so a shorter wait
// ends before anything could change. Time limit: nodes free at the pace jobs end, which the
// jobs' own lengths set; a share of its limit also bounds what the wait costs the job itself.
Seconds max_wait_for(const QueueSettings& settings, Seconds time_limit);

// Seconds without a start anywhere after which a wait of `max_wait` ends early: a share of it,
// rounded up; 0 = never early.
Seconds idle_wait_for(const QueueSettings& settings, Seconds max_wait);

enum class Outcome {
    Forward,    // the whole node bitmap to cons_tres, as stock Slurm
    Try,        // try `candidates` in order, then the whole bitmap
    TryOrPend,  // strict policies: try `candidates` in order, else pend with `reason`
    Compare,    // backfill's plan: candidates[0] when it starts no later than anywhere, else anywhere
    Pend,       // pend with `reason`; nothing is tried
};
std::string_view to_string(Outcome outcome);

struct Decision {
    Outcome outcome = Outcome::Forward;
    std::vector<Candidate> candidates;  // Try, TryOrPend: at least one; Compare: exactly one
    std::string reason;                 // TryOrPend, Pend: what `squeue` shows the user
};

struct QueueJob {
    uint32_t id = 0;
    Policy policy = Policy::Prefer;
    uint32_t min_nodes = 1;
    uint32_t max_nodes = 0;   // 0 = min_nodes
    bool will_run = false;    // backfill plans the job (a start later is fine); else: start now
    Seconds time_limit = 0;   // 0 = none known
};

// Slurm's node table as the job sees it, indexed like the topology.
struct NodeViews {
    std::vector<bool> available;  // the job may use it (in backfill's plan: at some time)
    std::vector<bool> free_now;   // of those, free now
    const std::vector<bool>* usable = nullptr;         // it could ever use (nullptr: all)
    const std::vector<bool>* idle_anywhere = nullptr;  // free now in Slurm's table (nullptr: unknown)
};

// Whether a job's decision depends on the nodes at all: false = Forward, whatever they are
// (policy any; prefer without a topology; one node in backfill's plan spans one block anywhere).
// Lets the plugin skip converting Slurm's bitmaps for most calls.
bool needs_nodes(const QueueJob& job, bool has_topology);

// Keeps, per job, how long it has waited at the head of the queue; one per slurmctld.
class QueuePolicy {
public:
    // The decision for one job_test call of a job for which needs_nodes() holds.
    Decision decide(const topology::Topology& topo, const QueueJob& job, const NodeViews& nodes,
                    const QueueSettings& settings, std::time_t now);

private:
    Decision decide_will_run(const topology::Topology& topo, const QueueJob& job,
                             const NodeViews& nodes, const Request& request,
                             std::vector<Candidate> anywhere, Seconds max_wait, Seconds idle_wait,
                             std::time_t now);
    bool idle_over(uint32_t job, Seconds idle_wait, std::time_t now) const;

    WaitTracker m_waits;
};

}  // namespace ks::placement
