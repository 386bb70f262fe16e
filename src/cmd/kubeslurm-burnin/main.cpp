// kubeslurm-burnin: sweeps a partition or a node list through Slurm with kubeslurm-gpucheck,
// writes a Markdown + HTML report, optionally drains failures and keeps a per-node history.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "common/config.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "options.h"
#include "fleet_stats.h"
#include "report.h"
#include "sweep.h"

namespace {

using namespace ks::burnin;
const ks::log::Logger logger("burn-in");

constexpr int kExitFail = 1, kExitError = 3, kExitUsage = 64;

std::string utc_now(const char* format) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, format, &tm);
    return buf;
}

bool write_text(const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::trunc);
    f << text;
    return static_cast<bool>(f.flush());
}

struct Setup {
    SweepPlan plan;
    std::string history;
    std::string output_dir;
};

// Everything that can be wrong before a job runs is reported here (exit 64).
ks::Result<Setup> prepare(const Options& opts, SweepResult& result) {
    Setup s;
    auto cfg = ks::config::Config::load(opts.config.empty() ? ks::config::kDefaultPath : opts.config,
                                        /*allow_missing=*/opts.config.empty());
    if (!cfg) return ks::Error{cfg.error()};
    s.plan.checker = opts.checker.empty() ? cfg->str("CheckerPath") : opts.checker;
    s.plan.config = opts.config;
    s.plan.level = opts.level;
    s.plan.duration_s = opts.duration_s;
    s.plan.partition = opts.partition;
    s.plan.reservation = opts.reservation;
    s.plan.parallel = opts.parallel;

    std::vector<std::string> wanted;
    if (!opts.partition.empty()) {
        auto nodes = partition_nodes(opts.partition);
        if (!nodes) return ks::Error{nodes.error()};
        wanted = *nodes;
    } else {
        auto nodes = ks::hostlist::expand(opts.nodes);
        if (!nodes) return ks::Error{"--nodes: " + nodes.error()};
        wanted = *nodes;
    }
    for (const auto& n : wanted)
        if (!valid_node_name(n)) return ks::Error{"not a Slurm node name: '" + n + "'"};
    auto info = show_nodes();
    if (!info) return ks::Error{info.error()};
    for (const auto& n : wanted) {
        auto it = info->find(n);
        if (it == info->end()) result.not_run.emplace_back(n, "no such Slurm node");
        else if (!schedulable(it->second.state)) result.not_run.emplace_back(n, "state " + it->second.state);
        else {
            s.plan.nodes.push_back(n);
            s.plan.info[n] = it->second;
        }
    }

    if (!opts.no_multinode) {
        std::string path = opts.topology.empty() ? cfg->str("TopologyFile") : opts.topology;
        if (!path.empty() && (!opts.topology.empty() || std::filesystem::exists(path))) {
            auto topo = ks::topology::load_json_file(path);
            if (!topo) return ks::Error{"--topology: " + topo.error()};
            s.plan.groups = multinode_groups(*topo, s.plan.nodes);
        } else {
            logger.info("no topology.json at '", path, "': no multi-node groups (give --topology)");
        }
    }

    s.output_dir = opts.output_dir.empty() ? "kubeslurm-burnin-" + result.id : opts.output_dir;
    s.plan.raw_dir = s.output_dir + "/raw";
    std::error_code ec;
    std::filesystem::create_directories(s.plan.raw_dir, ec);
    if (ec) return ks::Error{"cannot create " + s.plan.raw_dir + ": " + ec.message()};
    if (!opts.no_history) s.history = opts.history.empty() ? KUBESLURM_STATEDIR "/burnin-history.jsonl" : opts.history;
    return s;
}

void drain_failures(SweepResult& result) {
    for (const auto& n : result.nodes) {
        if (n.status != "fail" && n.status != "timeout") continue;
        std::string reason = n.reason.empty() ? "kubeslurm: burn-in: " + n.status : n.reason;
        if (auto st = drain_node(n.node, reason); !st) logger.error(st.error());
        else {
            logger.warning("drained ", n.node, ": ", reason);
            result.drained.emplace_back(n.node, reason);
        }
    }
}

void update_history(const std::string& path, const Options& opts, SweepResult& result) {
    std::vector<HistoryEntry> entries;
    for (const auto& n : result.nodes) entries.push_back(history_entry(n, result.finished, result.id));
    if (auto st = append_history(path, entries); !st) logger.error(st.error());
    int bad = 0;
    auto history = load_history(path, &bad);
    if (!history) {
        logger.error(history.error());
        return;
    }
    if (bad) logger.warning("history ", path, ": ", bad, " malformed lines skipped");
    result.lemons = lemons(summarize(*history), opts.lemon_failures);
}

int exit_status(const SweepResult& r) {
    int code = 0;
    for (const auto& n : r.nodes) {
        if (n.status == "fail" || n.status == "timeout") return kExitFail;
        if (n.status == "error") code = kExitError;
    }
    for (const auto& g : r.groups)
        if (g.status == "fail" || g.status == "timeout") return kExitFail;
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    auto opts = parse_options(argc, argv);
    if (!opts) {
        std::fprintf(stderr, "kubeslurm-burnin: %s\n%s", opts.error().c_str(), usage());
        return kExitUsage;
    }
    if (opts->help) {
        std::fputs(usage(), stdout);
        return 0;
    }
    if (opts->version) {
        std::printf("kubeslurm-burnin %s\n", KUBESLURM_VERSION);
        return 0;
    }
    if (opts->verbose) ks::log::set_level(ks::log::Level::Verbose);

    SweepResult result;
    result.id = utc_now("%Y%m%dT%H%M%SZ");
    result.started = utc_now("%Y-%m-%dT%H:%M:%SZ");
    result.level = opts->level;
    result.duration_s = opts->duration_s;
    result.tolerance = opts->tolerance;
    result.lemon_min_failures = opts->lemon_failures;
    auto setup = prepare(*opts, result);
    if (!setup) {
        std::fprintf(stderr, "kubeslurm-burnin: %s\n", setup.error().c_str());
        return kExitUsage;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto progress = [](const std::string& line) { logger.info(line); };
    logger.info("sweep ", result.id, ": ", setup->plan.nodes.size(), " nodes, level ", opts->level,
                opts->level == "burnin" ? ", " + std::to_string(static_cast<long>(opts->duration_s)) + " s per node" : "",
                result.not_run.empty() ? "" : ", " + std::to_string(result.not_run.size()) + " not schedulable");
    run_node_jobs(setup->plan, result, progress);
    if (!setup->plan.groups.empty()) {
        logger.info("multi-node NCCL: ", setup->plan.groups.size(), " candidate groups");
        run_group_jobs(setup->plan, result, progress);
    }
    result.finished = utc_now("%Y-%m-%dT%H:%M:%SZ");
    result.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (opts->drain) drain_failures(result);
    if (!setup->history.empty()) update_history(setup->history, *opts, result);

    const std::string dir = setup->output_dir;
    bool ok = write_text(dir + "/report.md", render_markdown(result)) &&
              write_text(dir + "/report.html", render_html(result)) &&
              write_text(dir + "/sweep.json", render_json(result));
    if (!ok) {
        logger.error("cannot write the report under ", dir);
        return kExitError;
    }
    logger.info("done: ", verdict_counts(result.nodes), "; report ", dir, "/report.md and report.html");
    for (const auto& [node, r] : result.lemons)
        logger.warning("repeat offender ", node, ": failed ", r.failures, " of ", r.sweeps, " sweeps");
    return exit_status(result);
}
