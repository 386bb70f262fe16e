// bench-policy: speed of placement::candidates() on large topologies, and a scheduling
// simulation (no Slurm) of a seeded job trace to see what the policy does to locality and
// makespan. Headline figures are printed last as key=value lines.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "placement/placement.h"
#include "placement/queue.h"

using namespace ks;
using Clock = std::chrono::steady_clock;

namespace {

// NVL72-like racks of `domain` nodes, 8 racks per leaf, 4 leaves per spine.
topology::Topology cluster(uint32_t nodes, uint32_t domain, bool with_domains) {
    std::vector<topology::Node> list;
    for (uint32_t i = 0; i < nodes; ++i) {
        uint32_t d = i / domain, leaf = d / 8, spine = leaf / 4;
        list.push_back({"n" + std::to_string(i + 1), with_domains ? "rack" + std::to_string(d) : "",
                        {"leaf" + std::to_string(leaf), "spine" + std::to_string(spine)}});
    }
    return topology::Topology::build(std::move(list)).value();
}

struct Speed {
    double median_us, p99_us;
};

Speed time_candidates(const topology::Topology& t, uint32_t seed) {
    std::mt19937 rng(seed);
    std::vector<std::vector<bool>> avail_sets;
    for (int s = 0; s < 16; ++s) {
        std::vector<bool> a(t.size());
        double busy = 0.2 + 0.05 * s;
        std::bernoulli_distribution b(busy);
        for (size_t i = 0; i < a.size(); ++i) a[i] = !b(rng);
        avail_sets.push_back(std::move(a));
    }
    const uint32_t sizes[] = {1, 2, 4, 8, 12, 16, 18, 24, 36, 54};
    std::vector<double> samples;
    size_t sink = 0;
    for (int rep = 0; rep < 400; ++rep) {
        const auto& a = avail_sets[rep % avail_sets.size()];
        placement::Request r{sizes[rep % 10], 0, placement::Policy::Prefer};
        auto start = Clock::now();
        auto c = placement::candidates(t, a, r);
        auto end = Clock::now();
        sink += c.size();
        samples.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    std::sort(samples.begin(), samples.end());
    if (sink == 0) std::fprintf(stderr, "bench-policy: no candidates at all?\n");
    // Median and p99: the reference machine is shared, so the mean mostly measures other work.
    return {samples[samples.size() / 2], samples[samples.size() * 99 / 100]};
}

// ---- scheduling simulation ---------------------------------------------------------------------

struct Job {
    uint32_t nodes;
    double duration;
};

std::vector<Job> trace(uint32_t count, uint32_t seed) {
    std::mt19937 rng(seed);
    std::discrete_distribution<int> kind({40, 20, 18, 12, 10});  // 1, 2-4, 5-12, 13-18, 19-36 nodes
    std::lognormal_distribution<double> dur(5.0, 0.8);
    std::vector<Job> jobs;
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t lo[] = {1, 2, 5, 13, 19}, hi[] = {1, 4, 12, 18, 36};
        int k = kind(rng);
        uint32_t n = lo[k] + rng() % (hi[k] - lo[k] + 1);
        jobs.push_back({n, std::min(3600.0, dur(rng))});
    }
    return jobs;
}

struct SimResult {
    double span_ratio = 0, single_pct = 0, makespan = 0;
};

// Every job is queued at t=0; whenever nodes free up, the queue is scanned in order and each job
// starts as select/cons_tres_topo would let it (Slurm's main scheduler without backfill's
// reservations): `first_fit` places on the lowest-numbered free nodes (stock Slurm without
// topology); otherwise placement::QueuePolicy decides, with the plugin's own code: Try takes the
// first candidate, Forward first-fit, Pend keeps the job queued. `wait` is TopologyMaxWait.
SimResult simulate(const topology::Topology& t, const std::vector<Job>& jobs, bool first_fit, double wait = 0) {
    std::vector<bool> avail(t.size(), true);
    struct Running {
        double end;
        std::vector<uint32_t> nodes;
    };
    std::vector<Running> running;
    std::vector<size_t> queue(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) queue[i] = i;
    placement::QueuePolicy policy;
    placement::QueueSettings settings;
    settings.max_wait = placement::Seconds(wait);
    settings.wait_cycles = 1;
    settings.bf_interval = settings.max_wait;  // exactly `wait`: one cycle of that length
    settings.idle_wait_percent = 0;
    auto lowest_free = [&](uint32_t count) {
        std::vector<uint32_t> nodes;
        for (uint32_t i = 0; i < t.size() && nodes.size() < count; ++i)
            if (avail[i]) nodes.push_back(i);
        if (nodes.size() < count) nodes.clear();
        return nodes;
    };
    double now = 0, span_sum = 0;
    int multi = 0, fit_one = 0, got_one = 0;
    while (!queue.empty()) {
        std::vector<size_t> still;
        for (size_t j : queue) {
            std::vector<uint32_t> nodes;
            if (first_fit) {
                nodes = lowest_free(jobs[j].nodes);
            } else {
                placement::QueueJob job;
                job.id = uint32_t(j + 1);
                job.min_nodes = jobs[j].nodes;
                placement::NodeViews views;
                views.available = avail;
                views.free_now = avail;
                auto d = policy.decide(t, job, views, settings, std::time_t(now));
                if (d.outcome == placement::Outcome::Try) nodes = d.candidates.front().nodes;
                else if (d.outcome == placement::Outcome::Forward) nodes = lowest_free(jobs[j].nodes);
            }
            if (nodes.empty()) {
                still.push_back(j);
                continue;
            }
            std::vector<uint32_t> blocks;
            for (uint32_t i : nodes) {
                avail[i] = false;
                blocks.push_back(t.block_of(i));
            }
            std::sort(blocks.begin(), blocks.end());
            uint32_t spanned = static_cast<uint32_t>(std::unique(blocks.begin(), blocks.end()) - blocks.begin());
            uint32_t minimum = placement::minimum_domains(t, nullptr, jobs[j].nodes).value_or(1);
            if (jobs[j].nodes > 1) {
                span_sum += double(spanned) / minimum;
                ++multi;
            }
            if (minimum == 1) {
                ++fit_one;
                got_one += spanned == 1;
            }
            running.push_back({now + jobs[j].duration, std::move(nodes)});
        }
        queue = std::move(still);
        if (queue.empty()) break;
        // Advance to the next job end.
        auto next = std::min_element(running.begin(), running.end(),
                                     [](const Running& a, const Running& b) { return a.end < b.end; });
        now = next->end;
        for (auto it = running.begin(); it != running.end();) {
            if (it->end <= now) {
                for (uint32_t i : it->nodes) avail[i] = true;
                it = running.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (const auto& r : running) now = std::max(now, r.end);
    return {multi ? span_sum / multi : 1.0, fit_one ? 100.0 * got_one / fit_one : 100.0, now};
}

topology::Topology reference_cluster() {
    // The shape: 128 nodes in 8 domains of 12-18 under 2 leaves.
    const uint32_t sizes[] = {18, 12, 16, 14, 18, 15, 17, 18};
    std::vector<topology::Node> list;
    uint32_t next = 1;
    for (uint32_t d = 0; d < 8; ++d)
        for (uint32_t i = 0; i < sizes[d]; ++i)
            list.push_back({"n" + std::to_string(next++), "d" + std::to_string(d), {d < 4 ? "leafA" : "leafB", "spine"}});
    return topology::Topology::build(std::move(list)).value();
}

}  // namespace

int main() {
    std::printf("placement::candidates(), policy prefer, 400 calls each, 20-95%% busy\n");
    std::printf("%-36s %10s %10s\n", "topology", "median_us", "p99_us");
    struct Row {
        const char* name;
        uint32_t nodes;
        bool domains;
    } rows[] = {{"1,000 nodes, racks of 18", 1000, true},
                {"10,000 nodes, racks of 18", 10000, true},
                {"1,000 nodes, no domains (leaves)", 1000, false},
                {"10,000 nodes, no domains (leaves)", 10000, false}};
    double us_1k = 0, us_10k = 0;
    for (const auto& row : rows) {
        auto t = cluster(row.nodes, 18, row.domains);
        auto s = time_candidates(t, 42);
        std::printf("%-36s %10.2f %10.2f\n", row.name, s.median_us, s.p99_us);
        if (row.nodes == 1000) us_1k = std::max(us_1k, s.median_us);
        if (row.nodes == 10000) us_10k = std::max(us_10k, s.median_us);
    }

    auto ref = reference_cluster();
    const int seeds = 5;
    std::printf("\nsimulation, prefer with a bounded wait for the minimum span (mean of %d seeds)\n", seeds);
    std::printf("%-8s %12s %12s %12s\n", "wait_s", "span_ratio", "single_pct", "makespan_r");
    for (double wait : {0.0, 60.0, 300.0, 900.0, 3600.0, 1e9}) {
        double sp = 0, si = 0, mk = 0;
        for (int s = 0; s < seeds; ++s) {
            auto jobs = trace(300, 1000 + s);
            auto ff = simulate(ref, jobs, true);
            auto pr = simulate(ref, jobs, false, wait);
            sp += pr.span_ratio / seeds;
            si += pr.single_pct / seeds;
            mk += pr.makespan / ff.makespan / seeds;
        }
        std::string label = wait >= 1e9 ? "inf" : std::to_string(static_cast<long>(wait));
        std::printf("%-8s %12.3f %11.1f%% %12.3f\n", label.c_str(), sp, si, mk);
    }
    double span = 0, single = 0, makespan_ratio = 0;
    std::printf("\nsimulation without Slurm: 128 nodes, 8 domains of 12-18, 2 leaves, 300 jobs of 1-36 nodes\n");
    std::printf("%-6s %12s %12s %12s %12s %12s\n", "seed", "span_ff", "span_prefer", "single_ff", "single_pref", "makespan_r");
    for (int s = 0; s < seeds; ++s) {
        auto jobs = trace(300, 1000 + s);
        auto ff = simulate(ref, jobs, true);
        auto pr = simulate(ref, jobs, false);
        std::printf("%-6d %12.3f %12.3f %11.1f%% %11.1f%% %12.3f\n", s, ff.span_ratio, pr.span_ratio, ff.single_pct,
                    pr.single_pct, pr.makespan / ff.makespan);
        span += pr.span_ratio / seeds;
        single += pr.single_pct / seeds;
        makespan_ratio += pr.makespan / ff.makespan / seeds;
    }
    std::printf("\npolicy_median_us_1000_nodes=%.2f\npolicy_median_us_10000_nodes=%.2f\n", us_1k, us_10k);
    std::printf("sim_span_ratio=%.3f\nsim_single_domain_pct=%.1f\nsim_makespan_ratio=%.3f\n", span, single, makespan_ratio);
    return 0;
}
