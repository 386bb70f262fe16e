// WaitTracker: the head's bounded wait, and the idle clock that ends it early once no job has
// taken a free node for a while (TopologyIdleWaitPercent).
#include <catch2/catch.hpp>

#include <vector>

#include "placement/wait_tracker.h"

using ks::placement::WaitTracker;

namespace {
constexpr uint32_t kHead = 7;
const std::vector<bool> kAllFree{true, true, true, true};
}  // namespace

TEST_CASE("the wait counts from the first time the job waited, not from when it was tried") {
    WaitTracker w;
    w.note_tried(kHead, 100);
    CHECK(w.tried(kHead));
    CHECK_FALSE(w.tried(kHead + 1));
    CHECK_FALSE(w.elapsed(kHead, 100).has_value());
    CHECK(w.waited(kHead, 104) == 0);
    CHECK(w.waited(kHead, 109) == 5);
    CHECK(w.elapsed(kHead, 110).value() == 6);
    CHECK(w.elapsed(kHead, 90).value() == 0);  // a clock that went back never gives negatives
}

TEST_CASE("a job that does not wait has no idle time") {
    WaitTracker w;
    w.observe_free(kAllFree, 100);
    w.note_tried(kHead, 100);
    CHECK(w.idle_for(kHead, 200) == 0);
    CHECK(w.idle_for(kHead + 1, 200) == 0);
}

TEST_CASE("with no start, the idle time runs from the start of the wait") {
    WaitTracker w;
    w.observe_free(kAllFree, 100);
    w.waited(kHead, 110);
    w.observe_free(kAllFree, 112);
    CHECK(w.idle_for(kHead, 113) == 3);
}

TEST_CASE("a job taking a free node restarts the idle time") {
    WaitTracker w;
    w.observe_free(kAllFree, 100);
    w.waited(kHead, 100);
    w.observe_free({true, false, true, true}, 104);  // n1 taken: a start
    CHECK(w.idle_for(kHead, 104) == 0);
    CHECK(w.idle_for(kHead, 106) == 2);
    // The wait itself still counts from its start: only its early end moves.
    CHECK(w.elapsed(kHead, 106).value() == 6);
}

TEST_CASE("nodes freeing, or staying busy, are no start") {
    WaitTracker w;
    w.observe_free({false, false, true, true}, 100);
    w.waited(kHead, 100);
    w.observe_free({true, false, true, true}, 103);  // n0 freed
    w.observe_free({true, false, true, true}, 104);
    CHECK(w.idle_for(kHead, 105) == 5);
}

TEST_CASE("the first view and a view of another size see no start") {
    WaitTracker w;
    w.waited(kHead, 100);
    w.observe_free({false, false, false, false}, 102);  // nothing to compare with yet
    CHECK(w.idle_for(kHead, 103) == 3);
    w.observe_free({false, false}, 104);  // the node table changed size (reconfigure)
    CHECK(w.idle_for(kHead, 105) == 5);
    w.observe_free({false, false}, 106);
    CHECK(w.idle_for(kHead, 107) == 7);
}

TEST_CASE("a start before the wait began does not shorten the idle time") {
    WaitTracker w;
    w.observe_free(kAllFree, 100);
    w.observe_free({false, true, true, true}, 101);  // a start, then quiet
    w.waited(kHead, 110);
    CHECK(w.idle_for(kHead, 112) == 2);
}
