#include <catch2/catch.hpp>

#include "sync/settings.h"

using namespace ks::sync;

TEST_CASE("settings come from the kubeslurm-sync keys") {
    auto cfg = ks::config::Config::parse(
        "DrainTaints=example.com/maint,example.com/broken\nGpuFeatures=no\nNodeMapping=pod\n"
        "PodNamespace=hpc\nMetricsAddress=0.0.0.0:9500\nLeaseDuration=6\nSlurmPollInterval=250\n",
        "t.conf");
    REQUIRE(cfg.ok());
    auto s = Settings::from(*cfg);
    REQUIRE(s.ok());
    CHECK(s->options.drain_taints == std::vector<std::string>{"example.com/maint", "example.com/broken"});
    CHECK_FALSE(s->options.gpu_features);
    CHECK(s->mapping == Mapping::Pod);
    CHECK(s->pod_namespace == "hpc");
    CHECK(s->metrics_host == "0.0.0.0");
    CHECK(s->metrics_port == 9500);
    CHECK(s->lease_duration_s == 6);
    CHECK(s->slurm_poll_ms == 250);
    CHECK(s->options.condition_type == "GPUHealthCheckFailed");
}

TEST_CASE("listen addresses") {
    std::string host;
    int port = -1;
    CHECK(parse_listen_address("", host, port).ok());
    CHECK(host.empty());
    CHECK(parse_listen_address("[::1]:80", host, port).ok());
    CHECK(host == "::1");
    CHECK(port == 80);
    CHECK(parse_listen_address("localhost", host, port).error() == "MetricsAddress: 'localhost' is not host:port");
    CHECK_FALSE(parse_listen_address("a:70000", host, port).ok());
    CHECK_FALSE(parse_listen_address("a:x", host, port).ok());
}
