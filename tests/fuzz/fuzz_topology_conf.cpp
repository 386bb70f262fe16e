// topology.conf reader: never crashes; what it accepts is written in tree form by kubeslurm and
// that file is read back with every node.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_checks.h"
#include "topology/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto topo = ks::topology::parse_topology_conf(text, "fuzz.conf");
    // Writing every form for a huge topology proves nothing more and starves the fuzzer.
    if (!topo || topo->empty() || topo->size() > 4096) return 0;
    ks::fuzz::check_slurm_files(*topo);
    return 0;
}
