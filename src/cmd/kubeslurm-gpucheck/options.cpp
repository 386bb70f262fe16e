#include "options.h"

#include <string_view>

#include "common/strings.h"

namespace ks::gpucheck {

const char* usage() {
    return "usage: kubeslurm-gpucheck --prolog --level quick|nccl|full [--config FILE]\n"
           "       kubeslurm-gpucheck --level quick|nccl|full|burnin [--duration 30m] [--json FILE]\n"
           "       kubeslurm-gpucheck --list-checks | --help | --version\n"
           "\n"
           "  --prolog            run as the pre-job gate: one JSON document on stdout, logs on stderr\n"
           "  --level L           quick, nccl (+ multi-node host network), full, burnin (not with --prolog)\n"
           "  --config FILE       kubeslurm.conf (default " KUBESLURM_SYSCONFDIR "/kubeslurm.conf)\n"
           "  --duration D        burn-in duration: 90s, 30m, 2h or seconds\n"
           "  --json FILE         also write the JSON report to FILE ('-' = stdout)\n"
           "  --timeout S         deadline of the whole run (default: CheckTimeout - 2 s)\n"
           "  --check NAME        run only this check (repeatable)\n"
           "  --node NAME         this node's Slurm name (default SLURMD_NODENAME or the host name)\n"
           "  --munge-socket P    munged socket for the rendezvous (default from slurm.conf AuthInfo)\n"
           "  -v, --verbose       more log output on stderr\n"
           "\n"
           "exit: 0 pass (skips included), 1 fail, 2 timeout, 3 error (a check could not run),\n"
           "      64 usage or configuration error\n";
}

std::optional<double> parse_duration(const std::string& text) {
    if (text.empty()) return std::nullopt;
    double scale = 1;
    std::string number = text;
    switch (text.back()) {
        case 's': number.pop_back(); break;
        case 'm': scale = 60; number.pop_back(); break;
        case 'h': scale = 3600; number.pop_back(); break;
        default: break;
    }
    auto v = str::to_double(number);
    if (!v || *v <= 0) return std::nullopt;
    return *v * scale;
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    bool level_given = false;
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        std::string value;
        const auto need_value = [&](std::string_view name) -> bool {
            std::string prefix = std::string(name) + "=";
            if (str::starts_with(arg, prefix)) {
                value = std::string(arg.substr(prefix.size()));
                return true;
            }
            if (arg != name) return false;
            if (i + 1 >= argc) return false;
            value = argv[++i];
            return true;
        };
        const auto is = [&](std::string_view name) { return arg == name || str::starts_with(arg, std::string(name) + "="); };
        if (arg == "--prolog") o.prolog = true;
        else if (arg == "-h" || arg == "--help") o.help = true;
        else if (arg == "--version") o.version = true;
        else if (arg == "--list-checks") o.list_checks = true;
        else if (arg == "-v" || arg == "--verbose") o.verbose = true;
        else if (is("--level")) {
            if (!need_value("--level")) return Error{"--level needs a value"};
            auto l = health::parse_level(value);
            if (!l) return Error{"--level: '" + value + "' is not one of quick, nccl, full, burnin"};
            o.level = *l;
            level_given = true;
        } else if (is("--config")) {
            if (!need_value("--config")) return Error{"--config needs a file"};
            o.config_path = value;
        } else if (is("--duration")) {
            if (!need_value("--duration")) return Error{"--duration needs a value"};
            auto d = parse_duration(value);
            if (!d) return Error{"--duration: '" + value + "' is not a duration like 90s, 30m, 2h"};
            o.duration_s = *d;
        } else if (is("--json")) {
            if (!need_value("--json")) return Error{"--json needs a file"};
            o.json_path = value;
        } else if (is("--timeout")) {
            if (!need_value("--timeout")) return Error{"--timeout needs seconds"};
            auto t = parse_duration(value);
            if (!t) return Error{"--timeout: '" + value + "' is not a duration"};
            o.timeout_s = *t;
        } else if (is("--check")) {
            if (!need_value("--check")) return Error{"--check needs a check name"};
            o.only.push_back(value);
        } else if (is("--node")) {
            if (!need_value("--node")) return Error{"--node needs a node name"};
            o.node = value;
        } else if (is("--munge-socket")) {
            if (!need_value("--munge-socket")) return Error{"--munge-socket needs a path"};
            o.munge_socket = value;
        } else {
            return Error{"unknown argument '" + std::string(arg) + "'"};
        }
    }
    if (o.help || o.version || o.list_checks) return o;
    if (!level_given) return Error{"--level is required"};
    if (o.prolog && o.level == health::Level::Burnin) return Error{"--level burnin is not allowed with --prolog"};
    if (o.prolog && o.duration_s > 0) return Error{"--duration is not allowed with --prolog"};
    if (o.duration_s > 0 && o.level != health::Level::Burnin) return Error{"--duration needs --level burnin"};
    return o;
}

}  // namespace ks::gpucheck
