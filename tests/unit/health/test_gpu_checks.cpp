#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "fake_auth.h"
#include "health/gpu_checks.h"
#include "health/rendezvous_tcp.h"
#include "health/runner.h"

using namespace ks::health;

namespace {

CheckPtr find(const GpuBackendChecks& g, const std::string& name) {
    auto it = std::find_if(g.checks.begin(), g.checks.end(), [&](const CheckPtr& c) { return c->name() == name; });
    REQUIRE(it != g.checks.end());
    return *it;
}

}  // namespace

TEST_CASE("a backend that cannot be loaded yields one skipped gpu check with the reason") {
    auto g = load_gpu_checks("/nonexistent/libkubeslurm-gpu.so");
    CHECK_THAT(g.load_error, Catch::Contains("/nonexistent/libkubeslurm-gpu.so"));
    REQUIRE(g.checks.size() == 1);
    CheckContext ctx;
    auto results = g.checks[0]->run(ctx);
    REQUIRE(results.size() == 1);
    CHECK(results[0].check == "gpu");
    CHECK(results[0].status == Status::Skip);
    CHECK_THAT(results[0].detail, Catch::StartsWith("GPU backend not loaded: "));
}

TEST_CASE("backend checks: listing, request, per-device results") {
    auto g = load_gpu_checks(KS_FAKE_GPU_BACKEND);
    INFO(g.load_error);
    REQUIRE(g.load_error.empty());
    REQUIRE(g.checks.size() == 2);
    auto fake = find(g, "gpu.fake");
    CHECK(fake->levels() == kAllLevels);
    CHECK_FALSE(fake->multi_node());
    CHECK(fake->burnin_weight() == 0.3);
    auto multi = find(g, "gpu.fake_multi");
    CHECK(multi->multi_node());
    CHECK(multi->burnin_weight() == 0);  // not listed: measures no duration
    CHECK(multi->levels() == (mask(Level::Nccl) | mask(Level::Full)));

    CheckContext ctx;
    ctx.devices = {2, 5};
    ctx.deadline_s = 5;
    ctx.thresholds = ThresholdSet({{"gpu.fake.value", 0.2}});
    auto results = fake->run(ctx);
    REQUIRE(results.size() == 2);
    CHECK(results[0].device == 2);
    CHECK(results[1].device == 5);
    CHECK(results[0].status == Status::Fail);  // 0.2 < default floor 0.5
    CHECK(results[0].unit == "GB/s");
    CHECK(results[0].detail == "level quick");
    // Single node: allgather copies this rank's contribution.
    auto single = multi->run(ctx);
    REQUIRE(single.size() == 1);
    CHECK(single[0].status == Status::Pass);
    CHECK(single[0].value == 1);
}

TEST_CASE("a hung backend call is abandoned at the deadline") {
    auto g = load_gpu_checks(KS_FAKE_GPU_BACKEND);
    CheckContext ctx;
    ctx.deadline_s = 0.2;
    ctx.thresholds = ThresholdSet({{"gpu.fake.hang_s", 0.8}});
    auto t0 = Clock::now();
    auto out = run_one(find(g, "gpu.fake"), ctx);
    CHECK(std::chrono::duration<double>(Clock::now() - t0).count() < 0.7);
    CHECK(out.abandoned);
    CHECK(out.results.at(0).status == Status::Timeout);
    std::this_thread::sleep_for(std::chrono::milliseconds(900));  // let the fake call return
}

TEST_CASE("multi-node backend checks allgather through the rendezvous") {
    auto g = load_gpu_checks(KS_FAKE_GPU_BACKEND);
    auto multi = find(g, "gpu.fake_multi");
    uint16_t port;
    {
        auto l = wire::listen_tcp(0);
        REQUIRE(l.ok());
        port = wire::local_port(l->get());
    }
    std::vector<std::future<std::vector<CheckResult>>> runs;
    for (int r = 0; r < 3; ++r)
        runs.push_back(std::async(std::launch::async, [=] {
            RendezvousSettings s;
            s.job_id = 9;
            s.nodes = {"a", "b", "c"};
            s.rank = r;
            s.port = port;
            s.leader_addr = "127.0.0.1";
            s.timeout_s = 5;
            s.policy.uids = {0};
            auto met = meet(s, std::make_shared<test::FakeAuth>(0));
            // Catch2's macros are not thread-safe: workers throw, the test thread reports.
            if (!met.rendezvous) throw std::runtime_error("rank " + std::to_string(r) + " missed the rendezvous");
            CheckContext ctx;
            ctx.deadline_s = 5;
            ctx.rendezvous = met.rendezvous.get();
            return multi->run(ctx);
        }));
    for (auto& f : runs) {
        auto results = f.get();
        REQUIRE(results.size() == 1);
        CHECK(results[0].status == Status::Pass);
        CHECK(results[0].value == 3);
    }
}
