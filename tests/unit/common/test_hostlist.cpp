#include <catch2/catch.hpp>

#include "common/hostlist.h"

using namespace ks;

TEST_CASE("hostlist expansion through libslurm") {
    auto hosts = hostlist::expand("n[1-3,7],gpu01");
    REQUIRE(hosts.ok());
    CHECK(*hosts == std::vector<std::string>{"n1", "n2", "n3", "n7", "gpu01"});
    CHECK(hostlist::expand("")->empty());
}

TEST_CASE("hostlist compression sorts and de-duplicates") {
    std::vector<std::string> hosts{"n7", "n2", "n1", "n3", "n2"};
    CHECK(hostlist::compress(hosts) == "n[1-3,7]");
    CHECK(hostlist::compress({}) == "");
}

TEST_CASE("invalid hostlists are errors") {
    CHECK_FALSE(hostlist::expand("n[1-").ok());
    CHECK_FALSE(hostlist::expand("n]1").ok());
    CHECK_FALSE(hostlist::expand("n[5-3]").ok());
}
