// plugstack.conf arguments of spank_kubeslurm (NUL-separated here): never crash. conf= arguments
// are dropped: they name files to read, not text to parse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "spank/core/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> args;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        auto nul = rest.find('\0');
        std::string arg(rest.substr(0, nul));
        if (arg.rfind("conf=", 0) != 0) args.push_back(arg);
        rest.remove_prefix(nul == std::string_view::npos ? rest.size() : nul + 1);
    }
    auto settings = ks::spank::load_settings(args, "/nonexistent/kubeslurm.conf");
    if (!settings && settings.error().size() > 4096) __builtin_trap();
    return 0;
}
