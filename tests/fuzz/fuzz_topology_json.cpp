// topology.json reader: never crashes; what it accepts is written back and read back unchanged in
// one line per node.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "topology/topology.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto topo = ks::topology::from_json(text, "fuzz.json");
    if (!topo) return 0;
    std::string out = ks::topology::to_json(*topo);
    if (static_cast<size_t>(std::count(out.begin(), out.end(), '\n')) != topo->size() + 2) __builtin_trap();
    auto back = ks::topology::from_json(out, "again.json");
    if (!back || !(*back == *topo)) __builtin_trap();
    return 0;
}
