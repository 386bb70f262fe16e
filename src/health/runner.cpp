#include "health/runner.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace ks::health {
namespace {

// Shared between the runner and a check thread that may outlive it.
struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::vector<CheckResult> results;
};

std::vector<CheckResult> guarded_run(Check& check, const CheckContext& ctx) {
    try {
        auto results = check.run(ctx);
        if (results.empty()) results.push_back(errored(check.name(), "the check produced no result"));
        return results;
    } catch (const std::exception& e) {
        return {errored(check.name(), std::string("internal error: ") + e.what())};
    } catch (...) {
        return {errored(check.name(), "internal error: unknown exception")};
    }
}

}  // namespace

double check_deadline_s(const Check& check, const CheckContext& ctx) {
    double d = ctx.thresholds.get_or(check.name() + ".deadline_s", check.default_deadline_s(ctx.level));
    if (ctx.level == Level::Burnin) d += ctx.duration_s;
    return d;
}

RunOutcome run_one(const CheckPtr& check, const CheckContext& ctx) {
    auto slot = std::make_shared<Slot>();
    auto own_ctx = std::make_shared<CheckContext>(ctx);
    own_ctx->cancelled = std::make_shared<std::atomic<bool>>(false);
    std::thread worker([slot, check, own_ctx] {
        auto results = guarded_run(*check, *own_ctx);
        std::lock_guard lock(slot->mu);
        slot->results = std::move(results);
        slot->done = true;
        slot->cv.notify_all();
    });
    const auto limit = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(ctx.deadline_s));
    std::unique_lock lock(slot->mu);
    if (slot->cv.wait_until(lock, limit, [&] { return slot->done; })) {
        lock.unlock();
        worker.join();
        return {std::move(slot->results), false};
    }
    lock.unlock();
    // Give a cooperative check a moment to notice; a hung one (a driver call) is abandoned.
    own_ctx->cancelled->store(true);
    lock.lock();
    bool stopped = slot->cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return slot->done; });
    lock.unlock();
    if (stopped) worker.join();
    else worker.detach();
    CheckResult r = timed_out(check->name(), ctx.deadline_s);
    r.detail = stopped ? "no result within the deadline; the check was stopped"
                       : "no result within the deadline; the check was abandoned (a call that cannot be cancelled)";
    return {{std::move(r)}, !stopped};
}

double burnin_weights(const std::vector<CheckPtr>& checks) {
    double sum = 0;
    for (const auto& c : checks) sum += c->burnin_weight();
    return sum;
}

RunOutcome run_checks(const std::vector<CheckPtr>& checks, const CheckContext& base,
                      Clock::time_point run_deadline, const RunHooks& hooks, double total_weight) {
    RunOutcome out;
    for (size_t i = 0; i < checks.size(); ++i) {
        const auto& check = checks[i];
        double left = std::chrono::duration<double>(run_deadline - Clock::now()).count();
        if (left <= 0.05) {
            out.results.push_back(skipped(check->name(), "not started: the run deadline was reached"));
            continue;
        }
        if (hooks.on_start) hooks.on_start(check->name(), i, checks.size());
        CheckContext ctx = base;
        if (base.level == Level::Burnin && total_weight > 0)
            ctx.duration_s = base.duration_s * check->burnin_weight() / total_weight;
        ctx.deadline_s = std::min(check_deadline_s(*check, ctx), left);
        auto one = run_one(check, ctx);
        out.abandoned = out.abandoned || one.abandoned;
        for (auto& r : one.results) out.results.push_back(std::move(r));
    }
    return out;
}

}  // namespace ks::health
