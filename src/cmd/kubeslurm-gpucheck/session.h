// One run of the checker: configuration, job context, thresholds, the checks of the level, the
// rendezvous for multi-node checks, the watchdog, and the report.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/config.h"
#include "common/result.h"
#include "health/check.h"
#include "health/job_context.h"
#include "health/report.h"
#include "health/rendezvous.h"
#include "options.h"

namespace ks::gpucheck {

class Session {
public:
    static Result<std::unique_ptr<Session>> create(const Options& opts, const config::Config& cfg);
    std::string list_checks() const;
    int run();  // returns the exit code, or _exit()s when a check thread had to be abandoned

private:
    Session(const Options& opts, const config::Config& cfg) : m_opts(opts), m_cfg(cfg) {}
    std::vector<health::CheckPtr> selected(bool multi_node) const;
    double run_timeout_s() const;
    // Meets the other nodes; appends the rendezvous result. Null when not every node arrived.
    std::unique_ptr<health::Rendezvous> meet(double timeout_s, std::vector<health::CheckResult>& results);
    // Writes the report once (the emergency watchdog may race with the normal path).
    void emit(const health::Report& report);
    void start_emergency_watchdog(double timeout_s);

    Options m_opts;
    config::Config m_cfg;
    health::JobContext m_job;
    health::ThresholdSet m_thresholds;
    health::Registry m_registry;
    std::string m_sku;
    std::atomic<bool> m_emitted{false};
};

}  // namespace ks::gpucheck
