#include "placement/queue.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "common/strings.h"

namespace ks::placement {
namespace {

constexpr Seconds kSlurmDefaultBackfillInterval = 30;
constexpr size_t kWillRunTries = 1;  // backfill asks for every pending job: keep it cheap

std::string strict_reason(Policy policy, uint32_t nodes) {
    auto what = policy == Policy::Leaf ? topology::level_name(topology::Level::Leaf)
                                       : topology::level_name(topology::Level::Block);
    return "kubeslurm: waiting for one " + std::string(what) + " with " + std::to_string(nodes) +
           " free nodes";
}

// Nodes the job could ever be planned on: `available` within the usable nodes, if known.
std::vector<bool> could_use(const std::vector<bool>& available, const Request& request) {
    if (!request.usable) return available;
    std::vector<bool> out(available.size(), false);
    for (size_t i = 0; i < out.size(); i++) out[i] = available[i] && (*request.usable)[i];
    return out;
}

Decision pend(std::string reason) { return {Outcome::Pend, {}, std::move(reason)}; }

}  // namespace

Seconds backfill_interval(std::string_view scheduler_parameters) {
    for (auto item : str::split(scheduler_parameters, ',')) {
        auto text = str::trim(item);
        constexpr std::string_view key = "bf_interval=";
        if (!text.starts_with(key)) continue;
        text.remove_prefix(key.size());
        Seconds value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec == std::errc() && end == text.data() + text.size() && value > 0) return value;
    }
    return kSlurmDefaultBackfillInterval;
}

Seconds max_wait_for(const QueueSettings& s, Seconds time_limit) {
    if (s.max_wait <= 0) return 0;
    const Seconds cycles = Seconds(s.wait_cycles) * std::max<Seconds>(s.bf_interval, 1);
    const Seconds share = time_limit > 0 ? time_limit * Seconds(s.wait_limit_percent) / 100 : 0;
    return std::min(s.max_wait, std::max(cycles, share));
}

Seconds idle_wait_for(const QueueSettings& s, Seconds max_wait) {
    return (max_wait * Seconds(s.idle_wait_percent) + 99) / 100;
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::Forward: return "forward";
        case Outcome::Try: return "try";
        case Outcome::TryOrPend: return "try-or-pend";
        case Outcome::Compare: return "compare";
        case Outcome::Pend: return "pend";
    }
    return "?";
}

bool needs_nodes(const QueueJob& job, bool has_topology) {
    if (job.policy == Policy::Any) return false;
    if (is_strict(job.policy)) return true;
    if (!has_topology) return false;  // nothing to prefer
    return !(job.will_run && job.min_nodes <= 1 && job.max_nodes <= 1);
}

bool QueuePolicy::idle_over(uint32_t job, Seconds idle_wait, std::time_t now) const {
    return idle_wait > 0 && m_waits.idle_for(job, now) >= idle_wait;
}

Decision QueuePolicy::decide(const topology::Topology& topo, const QueueJob& job,
                             const NodeViews& nodes, const QueueSettings& settings,
                             std::time_t now) {
    Request request;
    request.min_nodes = job.min_nodes ? job.min_nodes : 1;
    request.max_nodes = job.max_nodes > request.min_nodes ? job.max_nodes : 0;
    request.policy = job.policy;
    request.usable = nodes.usable;

    const Seconds max_wait = max_wait_for(settings, job.time_limit);
    const Seconds idle_wait = idle_wait_for(settings, max_wait);
    if (!job.will_run) m_waits.note_tried(job.id, now);
    // Starts are seen in the node table itself: each job's own view differs (its partition,
    // backfill's snapshot), and comparing two jobs' views would count starts that never were.
    if (idle_wait > 0 && nodes.idle_anywhere) m_waits.observe_free(*nodes.idle_anywhere, now);

    const size_t tries = job.will_run ? std::min(settings.max_tries, kWillRunTries)
                                      : settings.max_tries;
    auto cands = candidates(topo, nodes.available, request, tries);
    const bool strict = is_strict(job.policy);
    // The head of the queue waits for its fewest domains from the first time Slurm tries it
    // without room there, whether or not it could start wider now (or at all): the jobs behind
    // it take the nodes as they free, so "could start wider" may never come and the wait would
    // last until its fewest domains drained.
    std::optional<uint32_t> minimum;
    Seconds waited = 0;
    if (!strict && !job.will_run && max_wait > 0) {
        minimum = minimum_domains(topo, request.usable, request.min_nodes);
        if (minimum && (cands.empty() || cands.front().domains > *minimum))
            waited = m_waits.waited(job.id, now);
    }
    if (cands.empty()) {
        if (!strict) return {};  // let cons_tres judge (e.g. too few free nodes)
        std::string why = pending_reason(topo, nodes.available, request);
        return pend(why.empty() ? strict_reason(job.policy, request.min_nodes) : why);
    }
    if (strict)
        return {Outcome::TryOrPend, std::move(cands), strict_reason(job.policy, request.min_nodes)};
    if (job.will_run)
        return decide_will_run(topo, job, nodes, request, std::move(cands), max_wait, idle_wait, now);
    if (minimum && cands.front().domains > *minimum && waited < max_wait &&
        !idle_over(job.id, idle_wait, now))
        return pend("kubeslurm: waiting up to " + std::to_string(max_wait - waited) + " s for " +
                    std::to_string(*minimum) + " NVLink domain(s) (" +
                    std::to_string(cands.front().domains) + " free now)");
    return {Outcome::Try, std::move(cands), {}};
}

// Backfill asks when and where a multi-node `prefer` job could start: `available` holds the
// nodes it may plan on, busy ones included; `free_now` the idle ones among them; `anywhere` its
// best candidate on them.
Decision QueuePolicy::decide_will_run(const topology::Topology& topo, const QueueJob& job,
                                      const NodeViews& nodes, const Request& request,
                                      std::vector<Candidate> anywhere, Seconds max_wait,
                                      Seconds idle_wait, std::time_t now) {
    auto minimum = minimum_domains(topo, request.usable, request.min_nodes);
    auto fits_now = candidates(topo, nodes.free_now, request, 1);
    if (!fits_now.empty() && minimum && fits_now.front().domains <= *minimum)
        return {Outcome::Try, std::move(fits_now), {}};  // it can start now in its fewest domains
    const auto reachable = could_use(nodes.available, request);
    if (max_wait <= 0 || !minimum || !minimum_domains(topo, &reachable, request.min_nodes)) {
        // No waiting (or too few nodes to plan on): restricting the answer would plan the job
        // later than it can start and skew every reservation, so job_test compares both and
        // keeps the best placement only when it starts no later.
        if (minimum)
            if (auto soonest = soonest_minimum_span(topo, reachable, nodes.free_now, request))
                anywhere = {std::move(*soonest)};
        return {Outcome::Compare, std::move(anywhere), {}};
    }
    // The head of the queue, once its wait is over, is planned as stock Slurm would: its earliest
    // nodes anywhere, the free ones held for it. Kept on its target instead (when it started at
    // most max_wait later there), it lost the nodes that freed elsewhere to the jobs behind and
    // started late (docs/dev/placement-experiments.md).
    const bool head = m_waits.tried(job.id);
    if (head && (m_waits.elapsed(job.id, now).value_or(0) >= max_wait ||
                 idle_over(job.id, idle_wait, now)))
        return {};
    // Behind the head, and the head during its wait: it starts only in its fewest domains
    // (above) and holds no reservation, so the free nodes stay open to every job that fits them
    // in its fewest domains, the head's own target included. Reserving the target for the
    // waiting head idled its free nodes until the rest drained, and cost more makespan than
    // it gained locality.
    const std::string domains = std::to_string(*minimum) + " NVLink domain(s)";
    return pend(head ? "kubeslurm: waiting for " + domains
                     : "kubeslurm: behind the head of the queue, not free in " + domains + " now");
}

}  // namespace ks::placement
