// Mutated inputs (fixed seed): every parser returns a value or an error, never throws or crashes.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <random>

#include "topology/topology.h"

using namespace ks::topology;

namespace {

// Replaces, deletes or truncates characters; never makes the text longer, so that hostlist
// ranges stay as small as in the seed.
std::string mutate(std::string s, std::mt19937& rng) {
    static const std::string alphabet = "{}[]\",:=-# \n\\0123456789abnsvx";
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
        size_t at = rng() % s.size();
        switch (rng() % 3) {
            case 0: s[at] = alphabet[rng() % alphabet.size()]; break;
            case 1: s.erase(at, 1 + rng() % 3); break;
            default: s.resize(at); break;
        }
    }
    return s;
}

template <class Parse>
void fuzz(const std::string& seed, Parse parse, uint32_t rounds) {
    std::mt19937 rng(1234);
    size_t ok = 0, rejected = 0;
    for (uint32_t i = 0; i < rounds; ++i) {
        std::string input = mutate(seed, rng);
        auto r = parse(input);
        if (r.ok()) {
            ++ok;
        } else {
            INFO(input);
            REQUIRE(!r.error().empty());
            ++rejected;
        }
    }
    CHECK(rejected > 0);  // the mutations do break documents
}

// libslurm logs every bad hostlist to stderr; thousands of them would bury the test report.
class QuietStderr {
public:
    QuietStderr() : m_saved(dup(2)) {
        int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null >= 0) {
            dup2(null, 2);
            close(null);
        }
    }
    ~QuietStderr() {
        if (m_saved >= 0) {
            dup2(m_saved, 2);
            close(m_saved);
        }
    }
    QuietStderr(const QuietStderr&) = delete;
    QuietStderr& operator=(const QuietStderr&) = delete;

private:
    int m_saved;
};

}  // namespace

TEST_CASE("topology.json parser survives mutated documents") {
    std::string seed = to_json(Topology::build({{"n1", "d1", {"l1", "s1"}}, {"n2", "d1", {"l1"}}, {"n3", "", {}}}).value());
    fuzz(seed, [](const std::string& s) { return from_json(s, "fuzz"); }, 3000);
}

TEST_CASE("node label parser survives mutated NodeLists") {
    std::string seed = R"({"kind":"List","items":[{"kind":"Node","metadata":{"name":"n1","labels":{"nvidia.com/gpu.clique":"a.1","fabric.topograph.run/tier-0":"l"},"annotations":{"topology.slinky.slurm.net/spec":"topo-block:b"}}},{"metadata":{"name":"n2"}}]})";
    fuzz(seed, [](const std::string& s) { return from_node_labels(s, LabelOptions{}); }, 3000);
}

TEST_CASE("topology.conf parser survives mutated files") {
    std::string seed = "SwitchName=s1 Nodes=n[1-4]\nSwitchName=s2 Nodes=n[5-8]\nSwitchName=sp Switches=s[1-2] \\\n LinkSpeed=1\nBlockName=b1 Nodes=n[1-8]\nBlockSizes=8\n";
    QuietStderr quiet;
    fuzz(seed, [](const std::string& s) { return parse_topology_conf(s, "fuzz"); }, 3000);
}
