#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "health/job_context.h"

using namespace ks::health;

namespace {

EnvLookup env_of(const std::map<std::string, std::string>& vars) {
    return [vars](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

}  // namespace

TEST_CASE("the prolog context comes from Slurm's environment") {
    auto ctx = job_context_from_env(true, "", env_of({{"SLURM_JOB_ID", "12"}, {"SLURMD_NODENAME", "n3"},
                                                      {"SLURM_JOB_NODELIST", "n[2-5]"}, {"SLURM_JOB_GPUS", "1,3"},
                                                      {"CUDA_VISIBLE_DEVICES", "0,1"}}));
    REQUIRE(ctx.ok());
    CHECK(ctx->job_id == 12);
    CHECK(ctx->node == "n3");
    CHECK(ctx->nodes == std::vector<std::string>{"n2", "n3", "n4", "n5"});
    CHECK(ctx->rank == 1);
    CHECK(ctx->multi_node());
    CHECK(ctx->devices == std::vector<int>{1, 3});  // physical indices win over CUDA's
}

TEST_CASE("a step's node list comes before the job's outside the prolog") {
    auto ctx = job_context_from_env(false, "", env_of({{"SLURM_JOB_ID", "7"}, {"SLURMD_NODENAME", "n1"},
                                                       {"SLURM_JOB_NODELIST", "n[1-4]"}, {"SLURM_STEP_NODELIST", "n[1-2]"},
                                                       {"CUDA_VISIBLE_DEVICES", "GPU-0f6c"}}));
    REQUIRE(ctx.ok());
    CHECK(ctx->nodes.size() == 2);
    CHECK(ctx->devices.empty());  // UUIDs: leave the device list to the backend
}

TEST_CASE("bad or missing prolog context is an error that says what is missing") {
    SECTION("no job ID") {
        auto ctx = job_context_from_env(true, "", env_of({{"SLURMD_NODENAME", "n1"}, {"SLURM_JOB_NODELIST", "n1"}}));
        REQUIRE_FALSE(ctx.ok());
        CHECK(ctx.error() == "--prolog needs SLURM_JOB_ID in the environment");
    }
    SECTION("node outside the list") {
        auto ctx = job_context_from_env(true, "", env_of({{"SLURM_JOB_ID", "1"}, {"SLURMD_NODENAME", "n9"},
                                                          {"SLURM_JOB_NODELIST", "n[1-2]"}}));
        REQUIRE_FALSE(ctx.ok());
        CHECK_THAT(ctx.error(), Catch::Contains("n9") && Catch::Contains("not in the job's node list"));
    }
    SECTION("bad GPU list") {
        auto ctx = job_context_from_env(true, "", env_of({{"SLURM_JOB_ID", "1"}, {"SLURMD_NODENAME", "n1"},
                                                          {"SLURM_JOB_NODELIST", "n1"}, {"SLURM_JOB_GPUS", "0,x"}}));
        REQUIRE_FALSE(ctx.ok());
        CHECK_THAT(ctx.error(), Catch::StartsWith("SLURM_JOB_GPUS: "));
    }
    SECTION("bad job ID") {
        auto ctx = job_context_from_env(false, "", env_of({{"SLURM_JOB_ID", "abc"}}));
        REQUIRE_FALSE(ctx.ok());
    }
}

TEST_CASE("outside Slurm the checker is a single node named after the host or --node") {
    auto ctx = job_context_from_env(false, "gpu17", env_of({}));
    REQUIRE(ctx.ok());
    CHECK_FALSE(ctx->job_id.has_value());
    CHECK(ctx->node == "gpu17");
    CHECK(ctx->nodes == std::vector<std::string>{"gpu17"});
    CHECK_FALSE(ctx->multi_node());
}
