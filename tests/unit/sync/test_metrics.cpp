#include <catch2/catch.hpp>

#include "sync/metrics.h"

using namespace ks::sync;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("metrics render as Prometheus text with HELP and TYPE") {
    Metrics m;
    m.drains.add("cordoned", 3);
    m.drains.add("health_check");
    m.resumes.add("kubernetes");
    m.leader = 1;
    m.lag.observe(0.002);
    m.lag.observe(0.3);
    const std::string text = m.render();
    CHECK(has(text, "# TYPE kubeslurm_sync_drains_total counter\n"
                    "kubeslurm_sync_drains_total{cause=\"cordoned\"} 3\n"
                    "kubeslurm_sync_drains_total{cause=\"health_check\"} 1\n"));
    CHECK(has(text, "kubeslurm_sync_resumes_total{cause=\"kubernetes\"} 1\n"));
    CHECK(has(text, "kubeslurm_sync_leader 1\n"));
    CHECK(has(text, "kubeslurm_sync_event_lag_seconds_bucket{le=\"0.001\"} 0\n"));
    CHECK(has(text, "kubeslurm_sync_event_lag_seconds_bucket{le=\"0.005\"} 1\n"));
    CHECK(has(text, "kubeslurm_sync_event_lag_seconds_bucket{le=\"0.5\"} 2\n"));
    CHECK(has(text, "kubeslurm_sync_event_lag_seconds_count 2\n"));
    CHECK(has(text, "kubeslurm_sync_event_lag_seconds_sum 0.302\n"));
    CHECK(has(text, "# TYPE kubeslurm_sync_return_check_duration_seconds histogram\n"));
}

TEST_CASE("per-node verdicts are a state set with the deciding figure and threshold") {
    Metrics m;
    m.verdicts.set("n3", "fail", "host.membw", Figure{0.4, 100000, "<", "GB/s"}, 1700000000);
    m.verdicts.set("n1", "pass", "", std::nullopt, 1700000001);
    const std::string text = m.render();
    CHECK(has(text, "kubeslurm_sync_node_verdict{node=\"n3\",verdict=\"pass\"} 0\n"
                    "kubeslurm_sync_node_verdict{node=\"n3\",verdict=\"fail\"} 1\n"
                    "kubeslurm_sync_node_verdict{node=\"n3\",verdict=\"error\"} 0\n"));
    CHECK(has(text, "kubeslurm_sync_node_verdict{node=\"n1\",verdict=\"pass\"} 1\n"));
    CHECK(has(text, "kubeslurm_sync_node_verdict_timestamp_seconds{node=\"n3\"} 1700000000.000000\n"));
    CHECK(has(text, "kubeslurm_sync_node_check_value{node=\"n3\",check=\"host.membw\",unit=\"GB/s\"} 0.4\n"));
    CHECK(has(text, "kubeslurm_sync_node_check_threshold{node=\"n3\",check=\"host.membw\",unit=\"GB/s\"} 100000\n"));
    CHECK_FALSE(has(text, "kubeslurm_sync_node_check_value{node=\"n1\""));
    // A later verdict replaces the earlier one: one state per node, never both.
    m.verdicts.set("n3", "pass", "", std::nullopt, 1700000002);
    CHECK(has(m.render(), "kubeslurm_sync_node_verdict{node=\"n3\",verdict=\"fail\"} 0\n"));
    CHECK_FALSE(has(m.render(), "kubeslurm_sync_node_check_value{node=\"n3\""));
}

TEST_CASE("label values are escaped") {
    LabeledCounter c;
    c.add("a\"b\\c\nd");
    CHECK(has(c.render("x_total", "k", "h"), "x_total{k=\"a\\\"b\\\\c\\nd\"} 1\n"));
}
