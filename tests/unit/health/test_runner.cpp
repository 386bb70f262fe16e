#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "health/runner.h"

using namespace ks::health;
using namespace std::chrono_literals;

namespace {

// A check whose run() is a lambda.
class LambdaCheck final : public Check {
public:
    using Fn = std::function<std::vector<CheckResult>(const CheckContext&)>;
    LambdaCheck(std::string name, Fn fn, double deadline = 5, double burnin_weight = 0)
        : m_name(std::move(name)), m_fn(std::move(fn)), m_deadline(deadline), m_burnin_weight(burnin_weight) {}
    std::string name() const override { return m_name; }
    std::string description() const override { return "test"; }
    std::string unit() const override { return ""; }
    LevelMask levels() const override { return mask(Level::Quick); }
    double default_deadline_s(Level) const override { return m_deadline; }
    double burnin_weight() const override { return m_burnin_weight; }
    std::vector<CheckResult> run(const CheckContext& ctx) override { return m_fn(ctx); }

private:
    std::string m_name;
    Fn m_fn;
    double m_deadline;
    double m_burnin_weight;
};

// Blocks until released, ignoring cancellation (like a hung driver call).
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void wait() {
        std::unique_lock l(mu);
        cv.wait(l, [&] { return open; });
    }
    void release() {
        std::lock_guard l(mu);
        open = true;
        cv.notify_all();
    }
};

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

TEST_CASE("a check that cooperates is stopped at its deadline") {
    auto check = std::make_shared<LambdaCheck>("slow", [](const CheckContext& ctx) {
        while (!ctx.should_stop()) std::this_thread::sleep_for(5ms);
        return std::vector<CheckResult>{errored("slow", "cancelled")};
    });
    CheckContext ctx;
    ctx.deadline_s = 0.3;
    auto t0 = Clock::now();
    auto out = run_one(check, ctx);
    CHECK(since(t0) < 1.0);
    CHECK_FALSE(out.abandoned);
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].status == Status::Timeout);
    CHECK(out.results[0].threshold == 0.3);
}

TEST_CASE("a hung check is abandoned and reported as timeout") {
    auto gate = std::make_shared<Gate>();
    auto check = std::make_shared<LambdaCheck>("hung", [gate](const CheckContext&) {
        gate->wait();
        return std::vector<CheckResult>{measured("hung", 1, ">=", 0, "x")};
    });
    CheckContext ctx;
    ctx.deadline_s = 0.2;
    auto t0 = Clock::now();
    auto out = run_one(check, ctx);
    CHECK(since(t0) < 1.0);
    CHECK(out.abandoned);
    REQUIRE(out.results.size() == 1);
    CHECK(out.results[0].status == Status::Timeout);
    CHECK_THAT(out.results[0].detail, Catch::Contains("abandoned"));
    gate->release();  // let the detached thread finish before the test binary exits
    std::this_thread::sleep_for(50ms);
}

TEST_CASE("exceptions and empty results become errors") {
    auto throwing = std::make_shared<LambdaCheck>("boom", [](const CheckContext&) -> std::vector<CheckResult> {
        throw std::runtime_error("bad thing");
    });
    auto empty = std::make_shared<LambdaCheck>("empty", [](const CheckContext&) { return std::vector<CheckResult>{}; });
    CheckContext ctx;
    ctx.deadline_s = 2;
    auto a = run_one(throwing, ctx);
    REQUIRE(a.results.size() == 1);
    CHECK(a.results[0].status == Status::Error);
    CHECK_THAT(a.results[0].detail, Catch::Contains("bad thing"));
    auto b = run_one(empty, ctx);
    CHECK(b.results.at(0).status == Status::Error);
}

TEST_CASE("the run deadline caps each check and skips the ones that cannot start") {
    auto sleeper = std::make_shared<LambdaCheck>("sleeper", [](const CheckContext& ctx) {
        while (!ctx.should_stop()) std::this_thread::sleep_for(5ms);
        return std::vector<CheckResult>{errored("sleeper", "cancelled")};
    }, 60);
    auto quick = std::make_shared<LambdaCheck>("quick", [](const CheckContext&) {
        return std::vector<CheckResult>{measured("quick", 1, ">=", 0, "x")};
    });
    CheckContext base;
    auto t0 = Clock::now();
    auto out = run_checks({sleeper, quick}, base, Clock::now() + 400ms);
    CHECK(since(t0) < 1.5);
    REQUIRE(out.results.size() == 2);
    CHECK(out.results[0].status == Status::Timeout);
    CHECK(out.results[1].status == Status::Skip);
}

TEST_CASE("a per-check deadline comes from the thresholds") {
    LambdaCheck check("c", [](const CheckContext&) { return std::vector<CheckResult>{}; }, 5);
    CheckContext ctx;
    CHECK(check_deadline_s(check, ctx) == 5);
    ctx.thresholds = ThresholdSet({{"c.deadline_s", 2.5}});
    CHECK(check_deadline_s(check, ctx) == 2.5);
    ctx.level = Level::Burnin;
    ctx.duration_s = 60;
    CHECK(check_deadline_s(check, ctx) == 62.5);
}

TEST_CASE("a burn-in duration is split over the run's checks by weight") {
    // Each check reports the duration and deadline it was given.
    auto seen = [](const CheckContext& ctx) {
        return std::vector<CheckResult>{measured("c", ctx.duration_s, "<=", ctx.deadline_s, "s")};
    };
    std::vector<CheckPtr> checks = {std::make_shared<LambdaCheck>("gemm", seen, 5, 0.4),
                                    std::make_shared<LambdaCheck>("hbm", seen, 5, 0.2),
                                    std::make_shared<LambdaCheck>("passive", seen, 5, 0)};
    CheckContext base;
    base.level = Level::Burnin;
    base.duration_s = 80;
    const auto far = Clock::now() + 1h;
    // Weights 0.4 + 0.2 here and 0.2 in a later (multi-node) call: 0.8 in all.
    auto out = run_checks(checks, base, far, {}, burnin_weights(checks) + 0.2);
    REQUIRE(out.results.size() == 3);
    CHECK(out.results[0].value == Approx(40));
    CHECK(out.results[1].value == Approx(20));
    CHECK(out.results[2].value == 0);
    CHECK(out.results[0].threshold.value_or(0) == Approx(45));  // the check's deadline grows by its part only

    // Without weights every check gets the whole duration (one check run on its own).
    auto whole = run_checks({checks[0]}, base, far);
    CHECK(whole.results[0].value == 80);
    // Outside burn-in the duration is not touched.
    base.level = Level::Full;
    base.duration_s = 0;
    auto full = run_checks(checks, base, far, {}, 0.8);
    CHECK(full.results[0].value == 0);
}
