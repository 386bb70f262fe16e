#include <catch2/catch.hpp>

#include "sync/metrics.h"

using namespace ks::sync;

TEST_CASE("metrics render as Prometheus text with HELP and TYPE") {
    Metrics m;
    m.drains = 3;
    m.leader = 1;
    m.lag.observe(0.002);
    m.lag.observe(0.3);
    const std::string text = m.render();
    CHECK(text.find("# TYPE kubeslurm_sync_drains_total counter\nkubeslurm_sync_drains_total 3\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_leader 1\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_event_lag_seconds_bucket{le=\"0.001\"} 0\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_event_lag_seconds_bucket{le=\"0.005\"} 1\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_event_lag_seconds_bucket{le=\"0.5\"} 2\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_event_lag_seconds_count 2\n") != std::string::npos);
    CHECK(text.find("kubeslurm_sync_event_lag_seconds_sum 0.302\n") != std::string::npos);
}
