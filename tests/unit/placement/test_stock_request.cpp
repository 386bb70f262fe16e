// What a kubeslurm policy asks of stock Slurm placement (job_submit/kubeslurm), and where a job's
// --topology is found in its SPANK environment.
#include <catch2/catch.hpp>

#include <vector>

#include "placement/policy_source.h"
#include "placement/stock_request.h"

using namespace ks::placement;

namespace {
StockJob job(Policy policy, uint32_t min, uint32_t max = 0, bool segment = false, bool switches = false) {
    return StockJob{policy, min, max, segment, switches};
}
}  // namespace

TEST_CASE("each policy's request of stock Slurm") {
    struct Row {
        const char* what;
        StockJob job;
        StockRequest expect;
    } rows[] = {
        {"any asks nothing", job(Policy::Any, 8), {}},
        {"prefer asks nothing: stock already prefers the fewest blocks", job(Policy::Prefer, 8), {}},
        {"block: one segment of the job's size", job(Policy::Block, 8), {8, std::nullopt}},
        {"block with min == max", job(Policy::Block, 8, 8), {8, std::nullopt}},
        {"block, one node: in one block anyway", job(Policy::Block, 1), {}},
        {"block keeps the user's own --segment", job(Policy::Block, 8, 0, true), {}},
        {"leaf: one switch", job(Policy::Leaf, 30), {std::nullopt, 1u}},
        {"leaf keeps the user's own --switches", job(Policy::Leaf, 30, 0, false, true), {}},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        auto got = stock_request(r.job);
        REQUIRE(got);
        CHECK(*got == r.expect);
    }
}

TEST_CASE("block cannot be asked for a node range or an impossible size") {
    auto range = stock_request(job(Policy::Block, 4, 8));
    REQUIRE_FALSE(range);
    CHECK(range.error().find("give one node count (-N 4), not a range (-N 4-8)") != std::string::npos);
    auto huge = stock_request(job(Policy::Block, 70000));
    REQUIRE_FALSE(huge);
    CHECK(huge.error().find("70000 nodes") != std::string::npos);
}

TEST_CASE("the job's --topology is found in its SPANK environment in either spelling") {
    std::vector<const char*> submitted{"OTHER=1", nullptr, "KUBESLURM_TOPOLOGY=block"};
    CHECK(std::string(policy_in_spank_env(submitted.data(), submitted.size())) == "block");
    std::vector<const char*> prolog{"SPANK_KUBESLURM_TOPOLOGY=leaf"};
    CHECK(std::string(policy_in_spank_env(prolog.data(), prolog.size())) == "leaf");
    std::vector<const char*> none{"KUBESLURM_TOPOLOGYX=block", "XKUBESLURM_TOPOLOGY=block"};
    CHECK(policy_in_spank_env(none.data(), none.size()) == nullptr);
    CHECK(policy_in_spank_env(nullptr, 5) == nullptr);
}
