// A check: a named measurement with levels, a default deadline and a run() that returns results
// as values. The runner (runner.h) enforces deadlines; checks poll `cancelled` where they loop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "health/check_result.h"
#include "health/level.h"
#include "health/thresholds.h"

namespace ks::health {

class Rendezvous;

struct CheckContext {
    std::string node;
    std::optional<long> job_id;
    Level level = Level::Quick;
    std::vector<int> devices;          // physical GPU indices (PCI bus order); empty = all visible
    ThresholdSet thresholds;           // resolved for this node and SKU
    double deadline_s = 0;             // this check's time budget
    double duration_s = 0;             // burn-in: how long this check measures, 0 = its default
    Rendezvous* rendezvous = nullptr;  // set for multi-node checks when every node arrived
    std::function<void(double)> progress;                      // fraction in [0, 1]
    std::shared_ptr<std::atomic<bool>> cancelled = std::make_shared<std::atomic<bool>>(false);

    bool should_stop() const { return cancelled && cancelled->load(); }
    void report_progress(double fraction) const {
        if (progress) progress(fraction);
    }
    // A measured figure judged against the threshold `key`; error when the key is not set.
    CheckResult judge(std::string check, double value, std::string_view comparison, const std::string& key,
                      std::string unit, std::string detail = {}) const;
};

class Check {
public:
    virtual ~Check() = default;
    virtual std::string name() const = 0;
    virtual std::string description() const = 0;
    virtual std::string unit() const = 0;
    virtual LevelMask levels() const = 0;
    // Multi-node checks run after the rendezvous, in the same order on every node.
    virtual bool multi_node() const { return false; }
    virtual double default_deadline_s(Level level) const = 0;
    // Weight (>= 0) of the check in a burn-in: the run's --duration is split over its checks in
    // proportion; 0 = the check measures no duration (passive checks).
    virtual double burnin_weight() const { return 0; }
    virtual std::vector<CheckResult> run(const CheckContext& ctx) = 0;
};

using CheckPtr = std::shared_ptr<Check>;

class Registry {
public:
    void add(CheckPtr check) { m_checks.push_back(std::move(check)); }
    const std::vector<CheckPtr>& all() const { return m_checks; }
    std::vector<CheckPtr> for_level(Level level) const;

private:
    std::vector<CheckPtr> m_checks;
};

}  // namespace ks::health
