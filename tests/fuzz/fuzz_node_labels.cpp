// Kubernetes node labels and annotations (a NodeList as kubectl prints it): never crash, and no
// value can add a line or a key to the topology files written from them.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_checks.h"
#include "topology/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    static const ks::topology::LabelOptions options;
    auto topo = ks::topology::from_node_labels(text, options);
    // Writing every form for a huge topology proves nothing more and starves the fuzzer.
    if (!topo || topo->empty() || topo->size() > 4096) return 0;
    for (const auto& n : topo->nodes()) {
        if (!ks::topology::check_ids(n)) __builtin_trap();  // the boundary let nothing odd in
    }
    ks::fuzz::check_slurm_files(*topo);
    return 0;
}
