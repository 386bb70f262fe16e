// kubeslurm.conf parser: never crashes; an accepted file re-parses from its own values.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto cfg = ks::config::Config::parse(text, "fuzz.conf");
    if (!cfg) {
        if (cfg.error().size() > 4096) __builtin_trap();  // echoed values are capped
        return 0;
    }
    std::string again;
    for (const auto& key : ks::config::keys()) again += std::string(key.name) + "=" + cfg->str(key.name) + "\n";
    if (!ks::config::Config::parse(again, "again.conf")) __builtin_trap();
    return 0;
}
