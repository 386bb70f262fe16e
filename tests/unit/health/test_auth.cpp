#include <catch2/catch.hpp>

#include "fake_auth.h"
#include "health/auth.h"
#include "health/slurm_facts.h"

using namespace ks::health;

TEST_CASE("messages are accepted only from root or SlurmUser, for our job") {
    AcceptPolicy policy{{0, 64030}, 42};
    SECTION("root, right job") {
        auto j = accept_message({R"({"type":"hello","job_id":42})", 0, 0}, policy);
        REQUIRE(j.ok());
        CHECK(j.value()["type"] == "hello");
    }
    SECTION("SlurmUser") { CHECK(accept_message({R"({"job_id":42})", 64030, 0}, policy).ok()); }
    SECTION("an ordinary user is rejected with the reason") {
        auto j = accept_message({R"({"job_id":42})", 65534, 0}, policy);
        REQUIRE_FALSE(j.ok());
        CHECK(j.error() == "sender uid 65534 is neither root nor SlurmUser");
    }
    SECTION("another job's message is rejected") {
        auto j = accept_message({R"({"job_id":41})", 0, 0}, policy);
        REQUIRE_FALSE(j.ok());
        CHECK(j.error() == "message is for job 41, not job 42");
    }
    SECTION("garbage and missing job IDs are rejected") {
        CHECK_FALSE(accept_message({"not json", 0, 0}, policy).ok());
        CHECK_FALSE(accept_message({R"({"job_id":"42"})", 0, 0}, policy).ok());
        CHECK_FALSE(accept_message({R"([42])", 0, 0}, policy).ok());
    }
}

TEST_CASE("the fake authenticator round-trips and rejects forgeries") {
    test::FakeAuth auth(0);
    auto sealed = auth.seal("{}");
    REQUIRE(sealed.ok());
    auto cred = auth.open(sealed.value());
    REQUIRE(cred.ok());
    CHECK(cred->uid == 0);
    CHECK_FALSE(auth.open("MUNGE:whatever").ok());
}

TEST_CASE("the munge socket comes from AuthInfo") {
    CHECK(munge_socket_from_auth_info("socket=/run/munge/munge.sock") == "/run/munge/munge.sock");
    CHECK(munge_socket_from_auth_info("ttl=60, socket = /tmp/m.sock") == "/tmp/m.sock");
    CHECK(munge_socket_from_auth_info("ttl=60").empty());
    CHECK(munge_socket_from_auth_info("").empty());
}
