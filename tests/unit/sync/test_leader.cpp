#include <catch2/catch.hpp>

#include "sync/leader.h"

using namespace ks::sync;
using namespace std::chrono;
using Clock = LeaderState::Clock;

TEST_CASE("no lease: create it, then renew while we hold it") {
    LeaderState a("a", seconds(15));
    auto t = Clock::time_point{} + hours(1);
    CHECK(a.observe(std::nullopt, t) == LeaseStep::Create);
    CHECK_FALSE(a.is_leader(t));
    a.written(true, t);
    CHECK(a.is_leader(t));
    CHECK(a.observe(LeaseView{"a", "r1"}, t + seconds(3)) == LeaseStep::Renew);
    a.written(true, t + seconds(3));
    CHECK(a.is_leader(t + seconds(12)));
}

TEST_CASE("a leader that cannot renew stops acting before a standby may take over") {
    LeaderState a("a", seconds(15)), b("b", seconds(15));
    auto t = Clock::time_point{} + hours(1);
    a.written(true, t);
    CHECK(b.observe(LeaseView{"a", "r1"}, t) == LeaseStep::Wait);
    // a's renewals fail from now on: a stops acting at 10 s, b may take over at 15 s.
    CHECK(a.is_leader(t + seconds(9)));
    CHECK_FALSE(a.is_leader(t + seconds(10)));
    CHECK(b.observe(LeaseView{"a", "r1"}, t + seconds(14)) == LeaseStep::Wait);
    CHECK(b.observe(LeaseView{"a", "r1"}, t + seconds(15)) == LeaseStep::Acquire);
}

TEST_CASE("a standby waits as long as the leader renews") {
    LeaderState b("b", seconds(15));
    auto t = Clock::time_point{} + hours(1);
    for (int i = 0; i < 10; ++i)
        CHECK(b.observe(LeaseView{"a", "r" + std::to_string(i)}, t + seconds(10 * i)) == LeaseStep::Wait);
    CHECK_FALSE(b.is_leader(t + seconds(100)));
}

TEST_CASE("a released lease is taken at once; losing it ends leadership") {
    LeaderState b("b", seconds(15));
    auto t = Clock::time_point{} + hours(1);
    CHECK(b.observe(LeaseView{"", "r1"}, t) == LeaseStep::Acquire);
    b.written(true, t);
    CHECK(b.is_leader(t + seconds(1)));
    CHECK(b.observe(LeaseView{"c", "r9"}, t + seconds(2)) == LeaseStep::Wait);
    CHECK_FALSE(b.is_leader(t + seconds(2)));
}

TEST_CASE("a failed write does not make us leader") {
    LeaderState a("a", seconds(15));
    auto t = Clock::time_point{} + hours(1);
    CHECK(a.observe(LeaseView{"", ""}, t) == LeaseStep::Acquire);
    a.written(false, t);
    CHECK_FALSE(a.is_leader(t));
}
