// Packaging helper around the real kubeslurm.conf parser:
//   conf-tool keys         one line per key: name, type, default, constraint, description (TSV)
//   conf-tool check FILE   parses FILE exactly as every component does; prints the error, exit 1
// The example config and the man page are generated from `keys`, and tests parse the shipped
// example with `check`, so documentation and defaults can never drift from the code.
#include <cstdio>
#include <string>

#include "common/config.h"

namespace {

int usage() {
    std::fputs("usage: conf-tool keys | conf-tool check FILE\n", stderr);
    return 64;
}

int print_keys() {
    for (const auto& k : ks::config::keys()) {
        std::printf("%.*s\t%.*s\t%.*s\t%.*s\t%.*s\n", int(k.name.size()), k.name.data(),
                    int(ks::config::type_name(k.type).size()), ks::config::type_name(k.type).data(),
                    int(k.default_value.size()), k.default_value.data(), int(k.constraint.size()),
                    k.constraint.data(), int(k.description.size()), k.description.data());
    }
    return 0;
}

int check(const std::string& path) {
    auto cfg = ks::config::Config::load(path);
    if (!cfg) {
        std::fprintf(stderr, "%s\n", cfg.error().c_str());
        return 1;
    }
    std::printf("%s: ok\n", path.c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && std::string(argv[1]) == "keys") return print_keys();
    if (argc == 3 && std::string(argv[1]) == "check") return check(argv[2]);
    return usage();
}
