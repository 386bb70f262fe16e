#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "common/slurm_api.h"

using namespace ks;

namespace {
// The two shapes of the node update message and of a job call's key across Slurm lines.
struct MessageWithUid {
    uint32_t reason_uid = 0;
};
struct MessageWithoutUid {
    char* reason = nullptr;
};
struct MessageWithTopology {
    char* topology_str = nullptr;
};
struct StepKey {
    uint32_t job_id, step_het_comp, step_id;
};
}  // namespace

TEST_CASE("reason_uid is set only where the message has it") {
    MessageWithUid with;
    slurm_api::set_reason_uid(with, 4242);
    CHECK(with.reason_uid == 4242);
    MessageWithoutUid without;
    slurm_api::set_reason_uid(without, 4242);  // compiles, changes nothing
    CHECK(without.reason == nullptr);
}

TEST_CASE("a node's topology is set only where the message has the field (25.05+)") {
    char text[] = "block:b1,tree:s1:l1";
    MessageWithTopology with;
    CHECK(slurm_api::set_topology(with, text));
    CHECK(with.topology_str == text);
    MessageWithoutUid without;
    CHECK_FALSE(slurm_api::set_topology(without, text));
}

TEST_CASE("a job id becomes the key a job call takes") {
    CHECK(slurm_api::detail::job_key<uint32_t>(17) == 17u);
    StepKey k = slurm_api::detail::job_key<StepKey>(17);
    CHECK(k.job_id == 17u);
    CHECK(k.step_id == NO_VAL);  // the whole job, not one of its steps
    CHECK(k.step_het_comp == NO_VAL);
}

TEST_CASE("ranged hostlist text grows its buffer for long lists") {
    slurm_api::Hostlist hl(slurm_hostlist_create(nullptr));
    for (int i = 1; i < 400; i += 2) slurm_hostlist_push_host(hl.get(), ("node" + std::to_string(i)).c_str());
    const std::string text = slurm_api::ranged_string(hl.get());
    CHECK(text.size() > 256);  // past the first buffer
    CHECK(text.rfind("node[1,3,5,", 0) == 0);
    CHECK(text.substr(text.size() - 5) == ",399]");
}
