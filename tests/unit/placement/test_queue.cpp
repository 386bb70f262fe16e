// The queue policy: every outcome of QueuePolicy::decide, the wait in backfill cycles and time
// limits, and the wait's life over time (an injected clock: whole seconds).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fixtures.h"
#include "placement/queue.h"

using namespace ks::placement;

namespace {

// d0: 12 nodes and d1: 8 under leafA, d2: 10 under leafB; 30 in all.
ks::topology::Topology cluster() { return fixtures::make({{12, "leafA"}, {8, "leafA"}, {10, "leafB"}}); }

QueueSettings wait_60s() {
    QueueSettings s;
    s.max_wait = 60;
    s.wait_cycles = 1;
    s.wait_limit_percent = 0;
    s.bf_interval = 60;
    s.idle_wait_percent = 0;
    return s;
}

QueueJob job(uint32_t nodes, Policy policy = Policy::Prefer, bool will_run = false, uint32_t id = 7) {
    QueueJob j;
    j.id = id;
    j.policy = policy;
    j.min_nodes = nodes;
    j.will_run = will_run;
    return j;
}

NodeViews views(std::vector<bool> available) {
    NodeViews v;
    v.free_now = available;
    v.available = std::move(available);
    return v;
}

// Every node free except `busy` nodes of each domain (lowest first).
std::vector<bool> free_except(const ks::topology::Topology& t, std::vector<uint32_t> busy) {
    auto a = fixtures::all(t);
    for (uint32_t d = 0; d < busy.size(); d++) fixtures::occupy(t, a, d, busy[d]);
    return a;
}

}  // namespace

TEST_CASE("bf_interval is read from SchedulerParameters, Slurm's 30 s otherwise") {
    struct Row {
        const char* text;
        Seconds expect;
    } rows[] = {
        {"", 30},
        {"bf_continue", 30},
        {"bf_interval=2,bf_continue", 2},
        {"default_queue_depth=50, bf_interval=7", 7},
        {"bf_interval=", 30},
        {"bf_interval=abc", 30},
        {"bf_interval=-5", 30},
        {"bf_interval=12s", 30},
        {"max_bf_interval=9", 30},
    };
    for (const auto& r : rows) {
        INFO(r.text);
        CHECK(backfill_interval(r.text) == r.expect);
    }
}

TEST_CASE("the wait: the longer of backfill cycles and a share of the time limit, capped") {
    struct Row {
        Seconds max_wait;
        uint32_t cycles, percent;
        Seconds bf_interval, limit, expect;
    } rows[] = {
        {1800, 2, 5, 30, 4 * 3600, 720},  // production: 5 % of 4 h beats two 30 s cycles
        {1800, 2, 5, 30, 10 * 60, 60},    // a 10-minute job: two cycles (5 % would be 30 s)
        {1800, 2, 5, 30, 0, 60},          // no time limit: cycles only
        {1800, 2, 5, 30, 7 * 86400, 1800},  // a week-long limit: the cap
        {0, 2, 5, 30, 4 * 3600, 0},       // TopologyMaxWait=0: never wait
        {1800, 0, 0, 30, 4 * 3600, 0},    // both terms off: never wait
        {1800, 3, 0, 2, 600, 6},          // cycles of a scaled-down scheduler
        {1800, 2, 5, 0, 0, 2},            // a bf_interval of 0 counts as 1 s
    };
    for (const auto& r : rows) {
        QueueSettings s;
        s.max_wait = r.max_wait;
        s.wait_cycles = r.cycles;
        s.wait_limit_percent = r.percent;
        s.bf_interval = r.bf_interval;
        INFO("max " << r.max_wait << " cycles " << r.cycles << " percent " << r.percent << " bf "
                    << r.bf_interval << " limit " << r.limit);
        CHECK(max_wait_for(s, r.limit) == r.expect);
    }
    QueueSettings s;
    s.idle_wait_percent = 33;
    CHECK(idle_wait_for(s, 60) == 20);
    CHECK(idle_wait_for(s, 10) == 4);  // rounded up
    s.idle_wait_percent = 0;
    CHECK(idle_wait_for(s, 60) == 0);
}

TEST_CASE("jobs whose decision cannot depend on the nodes need no node views") {
    CHECK_FALSE(needs_nodes(job(4, Policy::Any), true));
    CHECK_FALSE(needs_nodes(job(4, Policy::Prefer), false));             // nothing to prefer
    CHECK_FALSE(needs_nodes(job(1, Policy::Prefer, true), true));        // one node in backfill
    CHECK(needs_nodes(job(1, Policy::Prefer, false), true));
    CHECK(needs_nodes(job(2, Policy::Prefer, true), true));
    CHECK(needs_nodes(job(1, Policy::Block, true), false));              // strict: always
    CHECK(needs_nodes(job(4, Policy::Leaf), false));
}

TEST_CASE("one call decides each outcome") {
    const auto t = cluster();
    struct Row {
        const char* what;
        QueueJob job;
        std::vector<uint32_t> busy;  // per domain
        Outcome outcome;
        size_t domains;              // of the first candidate (0: none)
        std::string reason;          // prefix
    } rows[] = {
        {"prefer fits one domain now", job(6), {}, Outcome::Try, 1, ""},
        {"prefer, more nodes than are free: cons_tres judges", job(31), {}, Outcome::Forward, 0, ""},
        {"prefer, room only wider: the head waits", job(11), {2, 0, 0}, Outcome::Pend, 0,
         "kubeslurm: waiting up to 60 s for 1 NVLink domain(s) (2 free now)"},
        {"prefer never needing one domain starts at once", job(20), {}, Outcome::Try, 2, ""},
        {"block with room", job(6, Policy::Block), {}, Outcome::TryOrPend, 1,
         "kubeslurm: waiting for one NVLink domain with 6 free nodes"},
        {"block, no domain free enough", job(11, Policy::Block), {2, 0, 0}, Outcome::Pend, 0,
         "kubeslurm: waiting for one NVLink domain with 11 free nodes"},
        {"block, larger than any domain", job(13, Policy::Block), {}, Outcome::Pend, 0,
         "kubeslurm: no NVLink domain has 13 usable nodes (largest 12)"},
        {"leaf with room", job(20, Policy::Leaf), {}, Outcome::TryOrPend, 2,
         "kubeslurm: waiting for one leaf switch with 20 free nodes"},
        {"backfill: fits its fewest domains now", job(6, Policy::Prefer, true), {}, Outcome::Try, 1, ""},
        {"backfill, behind the head: not free in its fewest domains", job(11, Policy::Prefer, true),
         {2, 0, 0}, Outcome::Pend, 0,
         "kubeslurm: behind the head of the queue, not free in 1 NVLink domain(s) now"},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        QueuePolicy q;
        auto d = q.decide(t, r.job, views(free_except(t, r.busy)), wait_60s(), 1000);
        CHECK(d.outcome == r.outcome);
        CHECK(d.reason.starts_with(r.reason));
        if (r.domains) {
            REQUIRE_FALSE(d.candidates.empty());
            CHECK(d.candidates.front().domains == r.domains);
        } else {
            CHECK(d.candidates.empty());
        }
    }
}

TEST_CASE("backfill without a wait compares the soonest fewest-domain plan with anywhere") {
    const auto t = cluster();
    auto s = wait_60s();
    s.max_wait = 0;
    NodeViews v;
    v.available = fixtures::all(t);           // backfill plans on busy nodes too
    v.free_now = free_except(t, {2, 0, 0});   // d0 has 10 free now, 11 needed
    QueuePolicy q;
    auto d = q.decide(t, job(11, Policy::Prefer, true), v, s, 1000);
    REQUIRE(d.outcome == Outcome::Compare);
    REQUIRE(d.candidates.size() == 1);
    CHECK(d.candidates[0].domains == 1);
    CHECK(d.candidates[0].nodes.size() == 12);  // all of d0: Slurm plans on the first to free
}

TEST_CASE("the head waits its whole wait, then starts wider") {
    const auto t = cluster();
    QueuePolicy q;
    const auto v = views(free_except(t, {2, 0, 0}));
    auto first = q.decide(t, job(11), v, wait_60s(), 1000);
    CHECK(first.outcome == Outcome::Pend);
    auto later = q.decide(t, job(11), v, wait_60s(), 1059);
    REQUIRE(later.outcome == Outcome::Pend);
    CHECK(later.reason.starts_with("kubeslurm: waiting up to 1 s"));
    // Backfill, meanwhile, sees the head waiting and plans nothing for it.
    auto planned = q.decide(t, job(11, Policy::Prefer, true), v, wait_60s(), 1059);
    CHECK(planned.outcome == Outcome::Pend);
    CHECK(planned.reason == "kubeslurm: waiting for 1 NVLink domain(s)");
    auto over = q.decide(t, job(11), v, wait_60s(), 1060);
    REQUIRE(over.outcome == Outcome::Try);
    CHECK(over.candidates.front().domains == 2);
    // Once its wait is over backfill plans the head as stock Slurm would.
    CHECK(q.decide(t, job(11, Policy::Prefer, true), v, wait_60s(), 1060).outcome == Outcome::Forward);
}

TEST_CASE("the wait counts from the head of the queue, not from when room appeared") {
    const auto t = cluster();
    QueuePolicy q;
    // No room anywhere: cons_tres judges, and the head's wait starts.
    auto none = q.decide(t, job(11), views(free_except(t, {12, 8, 10})), wait_60s(), 1000);
    CHECK(none.outcome == Outcome::Forward);
    // Room appears wider after the wait ran out: it starts at once.
    auto wide = q.decide(t, job(11), views(free_except(t, {2, 0, 0})), wait_60s(), 1070);
    CHECK(wide.outcome == Outcome::Try);
}

TEST_CASE("a job with a time limit waits its share of it, at least its cycles") {
    const auto t = cluster();
    QueueSettings s;
    s.max_wait = 1800;
    s.wait_cycles = 2;
    s.wait_limit_percent = 5;
    s.bf_interval = 30;
    s.idle_wait_percent = 0;
    auto j = job(11);
    j.time_limit = 4 * 3600;
    QueuePolicy q;
    auto d = q.decide(t, j, views(free_except(t, {2, 0, 0})), s, 1000);
    REQUIRE(d.outcome == Outcome::Pend);
    CHECK(d.reason.starts_with("kubeslurm: waiting up to 720 s"));
    CHECK(q.decide(t, j, views(free_except(t, {2, 0, 0})), s, 1719).outcome == Outcome::Pend);
    CHECK(q.decide(t, j, views(free_except(t, {2, 0, 0})), s, 1720).outcome == Outcome::Try);
}

TEST_CASE("the wait ends early once no job has taken a free node for the idle share") {
    const auto t = cluster();
    auto s = wait_60s();
    s.idle_wait_percent = 20;  // 12 s
    QueuePolicy q;
    auto free = free_except(t, {2, 0, 0});
    auto v = views(free);
    v.idle_anywhere = &free;
    CHECK(q.decide(t, job(11), v, s, 1000).outcome == Outcome::Pend);
    // A start at 1010 (a node left the free table) keeps the head waiting past 1012 ...
    auto taken = free;
    taken[29] = false;
    auto v2 = views(taken);
    v2.idle_anywhere = &taken;
    CHECK(q.decide(t, job(11), v2, s, 1010).outcome == Outcome::Pend);
    CHECK(q.decide(t, job(11), v2, s, 1021).outcome == Outcome::Pend);
    // ... until 12 s after it.
    CHECK(q.decide(t, job(11), v2, s, 1022).outcome == Outcome::Try);
}

TEST_CASE("backfill's will-run calls neither start nor end a head's wait") {
    const auto t = cluster();
    QueuePolicy q;
    const auto v = views(free_except(t, {2, 0, 0}));
    // Planned by backfill only (never tried to start): behind the head, for as long as it lasts.
    CHECK(q.decide(t, job(11, Policy::Prefer, true), v, wait_60s(), 1000).outcome == Outcome::Pend);
    CHECK(q.decide(t, job(11, Policy::Prefer, true), v, wait_60s(), 5000).outcome == Outcome::Pend);
    // Its first real try starts its wait then, not at the first will-run call.
    auto d = q.decide(t, job(11), v, wait_60s(), 5000);
    REQUIRE(d.outcome == Outcome::Pend);
    CHECK(d.reason.starts_with("kubeslurm: waiting up to 60 s"));
}
