// Four ranks in threads over loopback: rendezvous, allgather, ring all-reduce, the hostnet check,
// a node that never arrives, a leader nobody can reach, and a forged hello.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>

#include <future>
#include <numeric>
#include <stdexcept>
#include <thread>

#include "fake_auth.h"
#include "health/hostnet_check.h"
#include "health/rendezvous_tcp.h"
#include "health/ring.h"
#include "health/wire.h"

using namespace ks::health;

namespace {

uint16_t free_port() {
    auto l = wire::listen_tcp(0);
    REQUIRE(l.ok());
    return wire::local_port(l->get());  // closed again on return; good enough for a test
}

RendezvousSettings settings(int rank, int n, uint16_t port, double timeout = 5) {
    RendezvousSettings s;
    s.job_id = 77;
    for (int i = 0; i < n; ++i) s.nodes.push_back("n" + std::to_string(i + 1));
    s.rank = rank;
    s.port = port;
    s.leader_addr = "127.0.0.1";
    s.timeout_s = timeout;
    s.policy.uids = {0};
    return s;
}

std::vector<MeetOutcome> meet_all(int n, const std::vector<int>& ranks, uint16_t port, double timeout = 5) {
    std::vector<std::future<MeetOutcome>> futures;
    for (int r : ranks)
        futures.push_back(std::async(std::launch::async, [=] {
            return meet(settings(r, n, port, timeout), std::make_shared<test::FakeAuth>(0));
        }));
    std::vector<MeetOutcome> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
}

}  // namespace

TEST_CASE("rendezvous port is derived from the job ID within the range") {
    CHECK(rendezvous_port(12, 47000, 47999) == 47012);
    CHECK(rendezvous_port(1012, 47000, 47999) == 47012);
    CHECK(rendezvous_port(5, 47000, 47000) == 47000);
}

TEST_CASE("four ranks meet, allgather and all-reduce over a verified ring") {
    auto met = meet_all(4, {0, 1, 2, 3}, free_port());
    for (auto& m : met) {
        INFO(m.error);
        REQUIRE(m.rendezvous);
        CHECK(m.missing.empty());
        CHECK(m.rendezvous->size() == 4);
    }

    // allgather: every rank contributes its rank byte pattern.
    std::vector<std::future<std::vector<uint32_t>>> gathers;
    for (auto& m : met)
        gathers.push_back(std::async(std::launch::async, [rv = m.rendezvous.get()] {
            uint32_t mine = 1000 + static_cast<uint32_t>(rv->rank());
            std::vector<uint32_t> all(4);
            // Catch2's macros are not thread-safe: workers throw, the test thread reports.
            if (!rv->allgather(&mine, sizeof mine, all.data(), 5)) throw std::runtime_error("allgather failed");
            return all;
        }));
    for (auto& g : gathers) CHECK(g.get() == std::vector<uint32_t>{1000, 1001, 1002, 1003});

    // Ring all-reduce of an odd-sized vector: chunks of unequal size.
    std::vector<std::future<std::vector<uint64_t>>> sums;
    for (auto& m : met)
        sums.push_back(std::async(std::launch::async, [rv = m.rendezvous.get()] {
            RingFailure failure;
            auto ring = connect_ring(rv->ring_listener(), rv->peers(), rv->rank(), rv->auth(), rv->policy(),
                                     wire::after(5), &failure);
            if (!ring.ok()) throw std::runtime_error("ring: " + failure.message);
            std::vector<uint64_t> v(1001);
            for (size_t i = 0; i < v.size(); ++i) v[i] = (rv->rank() + 1) * (i + 1);
            if (!ring_allreduce(ring.value(), v, wire::after(5), &failure))
                throw std::runtime_error("all-reduce: " + failure.message);
            return v;
        }));
    for (auto& s : sums) {
        auto v = s.get();
        bool all_right = true;
        for (size_t i = 0; i < v.size(); ++i) all_right = all_right && v[i] == 10 * (i + 1);
        CHECK(all_right);
    }
}

TEST_CASE("the hostnet check measures bandwidth and latency on every rank") {
    auto met = meet_all(4, {0, 1, 2, 3}, free_port());
    auto check = make_hostnet_check();
    std::vector<std::future<std::vector<CheckResult>>> runs;
    for (auto& m : met) {
        REQUIRE(m.rendezvous);
        runs.push_back(std::async(std::launch::async, [&check, rv = m.rendezvous.get()] {
            CheckContext ctx;
            ctx.level = Level::Nccl;
            ctx.deadline_s = 20;
            ctx.rendezvous = rv;
            ctx.thresholds = ThresholdSet({{"hostnet.size_mb", 1}, {"hostnet.iterations", 2},
                                           {"hostnet.min_busbw_mbps", 0.001}, {"hostnet.max_latency_us", 1e9}});
            return check->run(ctx);
        }));
    }
    for (auto& r : runs) {
        auto results = r.get();
        REQUIRE(results.size() == 2);
        CHECK(results[0].check == "hostnet.bandwidth");
        CHECK(results[0].status == Status::Pass);
        CHECK(results[0].value.value_or(0) > 0);
        CHECK_THAT(results[0].detail, Catch::Contains("data verified"));
        CHECK(results[1].check == "hostnet.latency");
        CHECK(results[1].status == Status::Pass);
    }
}

TEST_CASE("a node that never arrives is named by the leader and the others") {
    auto met = meet_all(4, {0, 1, 2}, free_port(), 1.0);  // n4 never comes
    for (auto& m : met) {
        CHECK_FALSE(m.rendezvous);
        CHECK(m.missing == std::vector<std::string>{"n4"});
    }
}

TEST_CASE("a follower that cannot reach the leader blames the leader") {
    auto met = meet_all(3, {1, 2}, free_port(), 0.5);
    for (auto& m : met) {
        CHECK_FALSE(m.rendezvous);
        CHECK(m.missing == std::vector<std::string>{"n1"});
        CHECK(m.error.empty());
    }
}

TEST_CASE("a socket the kernel connected to itself is recognised; a connected pair is not") {
    // Binding the source to the very port we connect to forces the simultaneous open that
    // the kernel can also pick by chance for a port nobody listens on.
    wire::Fd self(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(self);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(self.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    a.sin_port = htons(wire::local_port(self.get()));
    REQUIRE(connect(self.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    CHECK(wire::connected_to_itself(self.get()));

    auto listener = wire::listen_tcp(0);
    REQUIRE(listener.ok());
    auto client = wire::connect_tcp("127.0.0.1", wire::local_port(listener->get()), wire::after(2));
    REQUIRE(client.ok());
    CHECK_FALSE(wire::connected_to_itself(client->get()));
}

TEST_CASE("a forged hello from an unprivileged sender is rejected") {
    const uint16_t port = free_port();
    auto leader = std::async(std::launch::async, [=] { return meet(settings(0, 2, port, 1.5), std::make_shared<test::FakeAuth>(0)); });
    // Pose as n2 with uid 65534 (and a valid-looking hello).
    test::FakeAuth nobody(65534);
    wire::Fd conn;
    for (int i = 0; i < 100 && !conn; ++i) {
        auto c = wire::connect_tcp("127.0.0.1", port, wire::after(1));
        if (c) conn = std::move(c.value());
        else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(conn);
    nlohmann::json hello{{"type", "hello"}, {"job_id", 77}, {"node", "n2"}, {"rank", 1}, {"port", 1234}};
    REQUIRE(send_message(conn.get(), nobody, hello, wire::after(1)).ok());
    auto out = leader.get();
    CHECK_FALSE(out.rendezvous);
    CHECK(out.missing == std::vector<std::string>{"n2"});
}

TEST_CASE("a node that leaves before the ring is blamed by its neighbours") {
    auto met = meet_all(3, {0, 1, 2}, free_port());
    for (auto& m : met) REQUIRE(m.rendezvous);
    met[2].rendezvous.reset();  // n3 dies after the rendezvous: its ring listener is gone
    std::vector<std::future<RingFailure>> rings;
    for (int r = 0; r < 2; ++r)
        rings.push_back(std::async(std::launch::async, [rv = met[static_cast<size_t>(r)].rendezvous.get()] {
            RingFailure failure;
            auto ring = connect_ring(rv->ring_listener(), rv->peers(), rv->rank(), rv->auth(), rv->policy(),
                                     wire::after(1), &failure);
            if (ring.ok()) throw std::runtime_error("the ring formed without n3");
            return failure;
        }));
    CHECK(rings[0].get().culprit == "n3");  // n1 waits for n3 to connect to it
    CHECK(rings[1].get().culprit == "n3");  // n2 cannot connect to n3
}

TEST_CASE("a silent connection does not hold up the rendezvous") {
    const uint16_t port = free_port();
    auto leader = std::async(std::launch::async, [=] { return meet(settings(0, 3, port, 5), std::make_shared<test::FakeAuth>(0)); });
    wire::Fd silent;
    for (int i = 0; i < 100 && !silent; ++i) {
        auto c = wire::connect_tcp("127.0.0.1", port, wire::after(1));
        if (c) silent = std::move(c.value());
        else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(silent);  // connected, says nothing, stays open
    auto t0 = wire::Clock::now();
    auto followers = meet_all(3, {1, 2}, port, 5);
    auto lead = leader.get();
    CHECK(std::chrono::duration<double>(wire::Clock::now() - t0).count() < 1.5);
    REQUIRE(lead.rendezvous);
    for (auto& f : followers) CHECK(f.rendezvous);
}
