// --topology and --gpu-check values and the level rules: never crash, and a value accepted is one
// of the documented choices.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/config.h"
#include "spank/core/levels.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view value(reinterpret_cast<const char*>(data), size);
    if (ks::spank::valid_topology(value) && value != "any" && value != "prefer" && value != "block" && value != "leaf")
        __builtin_trap();
    auto level = ks::spank::parse_level(value);
    if (level && ks::spank::level_name(*level) != value) __builtin_trap();
    static const ks::config::Config cfg;
    auto policy = ks::spank::level_policy(cfg, value);  // the value as a partition name too
    (void)ks::spank::resolve_level(level, policy);
    return 0;
}
