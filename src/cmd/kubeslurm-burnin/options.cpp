#include "options.h"

#include <cmath>

#include "common/strings.h"

namespace ks::burnin {

const char* usage() {
    return "usage: kubeslurm-burnin (--partition P | --nodes HOSTLIST) [options]\n"
           "\n"
           "Runs kubeslurm-gpucheck on every node through Slurm (one exclusive job per node), then\n"
           "multi-node NCCL per NVLink domain and per leaf switch, and writes a report.\n"
           "\n"
           "  --partition P        sweep every node of partition P\n"
           "  --nodes LIST         sweep these nodes (Slurm hostlist, e.g. gpu[001-016])\n"
           "  --duration D         burn-in time per node: 90s, 30m, 2h (default 30m)\n"
           "  --level L            checker level: burnin (default), full, nccl, quick\n"
           "  --output DIR         report directory (default ./kubeslurm-burnin-<sweep id>)\n"
           "  --drain              drain nodes that fail or time out, with the checker's reason\n"
           "  --history FILE       per-node history, JSON lines (default " KUBESLURM_STATEDIR "/burnin-history.jsonl)\n"
           "  --no-history         neither read nor append the history\n"
           "  --topology FILE      topology.json for the multi-node groups (default TopologyFile)\n"
           "  --no-multinode       skip the multi-node NCCL phase\n"
           "  --checker PATH       checker on the nodes (default CheckerPath of kubeslurm.conf)\n"
           "  --config FILE        kubeslurm.conf, also passed to the checker\n"
           "  --reservation R      run the jobs in reservation R (e.g. a maintenance reservation)\n"
           "  --parallel N         at most N jobs at a time (default 64)\n"
           "  --lemon-failures N   failed sweeps that make a repeat offender (default 2)\n"
           "  --tolerance F        outlier band around the fleet median (default 0.05 = 5%)\n"
           "  -v, --verbose        more output\n"
           "\n"
           "Exit status: 0 every node passed, 1 a node failed or timed out, 3 a node could not be\n"
           "checked (job or checker error), 64 usage error.\n";
}

std::optional<double> parse_seconds(const std::string& text) {
    auto t = std::string(str::trim(text));
    if (t.empty()) return std::nullopt;
    double scale = 1;
    switch (t.back()) {
        case 's': scale = 1; t.pop_back(); break;
        case 'm': scale = 60; t.pop_back(); break;
        case 'h': scale = 3600; t.pop_back(); break;
        case 'd': scale = 86400; t.pop_back(); break;
        default: break;
    }
    auto v = str::to_double(t);
    if (!v || !std::isfinite(*v) || *v <= 0) return std::nullopt;
    return *v * scale;
}

Result<Options> parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i], value;
        bool has_inline = false;
        if (auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
            has_inline = true;
        }
        auto take = [&](std::string& dst) -> Status {
            if (has_inline) dst = value;
            else if (i + 1 < argc) dst = argv[++i];
            else return Error{arg + " needs a value"};
            if (dst.empty()) return Error{arg + " needs a value"};
            return {};
        };
        auto take_int = [&](int& dst, int lo, int hi) -> Status {
            std::string v;
            if (auto st = take(v); !st) return st;
            auto n = str::to_long(v);
            if (!n || *n < lo || *n > hi)
                return Error{arg + ": '" + v + "' is not a number from " + std::to_string(lo) + " to " + std::to_string(hi)};
            dst = static_cast<int>(*n);
            return {};
        };
        Status st;
        if (arg == "-h" || arg == "--help") o.help = true;
        else if (arg == "--version") o.version = true;
        else if (arg == "-v" || arg == "--verbose") o.verbose = true;
        else if (arg == "--drain") o.drain = true;
        else if (arg == "--no-history") o.no_history = true;
        else if (arg == "--no-multinode") o.no_multinode = true;
        else if (arg == "--partition") st = take(o.partition);
        else if (arg == "--nodes") st = take(o.nodes);
        else if (arg == "--output") st = take(o.output_dir);
        else if (arg == "--history") st = take(o.history);
        else if (arg == "--topology") st = take(o.topology);
        else if (arg == "--checker") st = take(o.checker);
        else if (arg == "--config") st = take(o.config);
        else if (arg == "--reservation") st = take(o.reservation);
        else if (arg == "--parallel") st = take_int(o.parallel, 1, 100000);
        else if (arg == "--lemon-failures") st = take_int(o.lemon_failures, 1, 1000);
        else if (arg == "--level") {
            st = take(o.level);
            if (st && o.level != "burnin" && o.level != "full" && o.level != "nccl" && o.level != "quick")
                st = Error{"--level: '" + o.level + "' is not one of burnin, full, nccl, quick"};
        } else if (arg == "--duration") {
            std::string v;
            st = take(v);
            if (st) {
                auto d = parse_seconds(v);
                if (!d) st = Error{"--duration: '" + v + "' is not a duration like 90s, 30m, 2h"};
                else o.duration_s = *d;
            }
        } else if (arg == "--tolerance") {
            std::string v;
            st = take(v);
            auto t = st ? str::to_double(v) : std::nullopt;
            if (st && (!t || *t <= 0 || *t >= 1)) st = Error{"--tolerance: '" + v + "' is not a fraction in (0, 1)"};
            if (st) o.tolerance = *t;
        } else {
            st = Error{"unknown option '" + std::string(argv[i]) + "'"};
        }
        if (!st) return Error{st.error()};
    }
    if (o.help || o.version) return o;
    if (o.partition.empty() == o.nodes.empty()) return Error{"give exactly one of --partition and --nodes"};
    return o;
}

}  // namespace ks::burnin
