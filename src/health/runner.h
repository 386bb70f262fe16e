// Runs checks under a watchdog: every check gets a deadline (its own, capped by what is left of
// the whole run). A check that does not return in time becomes a timeout result; its thread is
// told to stop and, if it does not, abandoned — the caller must then leave with _exit() after
// writing the report (RunOutcome::abandoned).
#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include "health/check.h"

namespace ks::health {

using Clock = std::chrono::steady_clock;

struct RunOutcome {
    std::vector<CheckResult> results;
    bool abandoned = false;  // a check thread is still running
};

// Deadline of one check: thresholds key "<name>.deadline_s", else its default for the level;
// burn-in adds the check's duration (ctx.duration_s).
double check_deadline_s(const Check& check, const CheckContext& ctx);

// Runs one check with the watchdog. `ctx.deadline_s` is set by the caller.
RunOutcome run_one(const CheckPtr& check, const CheckContext& ctx);

struct RunHooks {
    // Called before each check starts: (check name, index, count).
    std::function<void(const std::string&, size_t, size_t)> on_start;
};

// Sum of burnin_weight() over `checks`.
double burnin_weights(const std::vector<CheckPtr>& checks);

// Runs `checks` in order; `run_deadline` bounds the whole sequence. A check that cannot start
// before the run deadline is reported as skip. In a burn-in, base.duration_s is the duration of
// the whole run: each check measures for its part, duration × its weight ÷ `total_weight` (the
// weights of every check of the run, those of a later call included; 0 = each check gets the
// whole duration), so that the run takes about the requested time.
RunOutcome run_checks(const std::vector<CheckPtr>& checks, const CheckContext& base,
                      Clock::time_point run_deadline, const RunHooks& hooks = {}, double total_weight = 0);

}  // namespace ks::health
