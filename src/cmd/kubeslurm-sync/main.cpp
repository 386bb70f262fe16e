// kubeslurm-sync: mirrors Kubernetes node state into Slurm (cordon / NotReady / taints -> drain,
// recovery -> resume of its own drains, GPU product -> features, labels -> topology files) and the
// health gate's Slurm drains back into Kubernetes (condition + taint). See docs/sync.md.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "common/config.h"
#include "common/log.h"
#include "daemon.h"
#include "leader_elector.h"

namespace {

constexpr ks::log::Logger kLog("sync");

const char* const kUsage =
    "usage: kubeslurm-sync [--config FILE] [--once] [--dry-run] [--identity ID] [--action-log FILE]\n"
    "\n"
    "Keeps Slurm node state in line with Kubernetes and reports health-gate drains to Kubernetes.\n"
    "\n"
    "  --config FILE      kubeslurm.conf to read (default " KUBESLURM_SYSCONFDIR "/kubeslurm.conf)\n"
    "  --once             reconcile once and exit (no watch, no leader election)\n"
    "  --dry-run          print the actions it would take instead of taking them\n"
    "  --identity ID      leader election identity (default $POD_NAME, else hostname_pid)\n"
    "  --action-log FILE  append one JSON line per action taken (audit, benchmarks)\n"
    "  --help, --version\n"
    "\n"
    "Signals: SIGHUP reloads the configuration, SIGTERM/SIGINT stop cleanly.\n";

struct Args {
    std::string config;
    bool config_given = false;
    ks::sync_daemon::RunFlags flags;
};

// 0: run; 1: exit 0 (help/version); -1: usage error.
int parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "kubeslurm-sync: %s needs a value\n%s", arg.c_str(), kUsage);
                return false;
            }
            out = argv[++i];
            return true;
        };
        if (arg == "--help" || arg == "-h") {
            std::fputs(kUsage, stdout);
            return 1;
        } else if (arg == "--version") {
            std::printf("kubeslurm-sync %s\n", KUBESLURM_VERSION);
            return 1;
        } else if (arg == "--config") {
            if (!value(a.config)) return -1;
            a.config_given = true;
        } else if (arg == "--once") {
            a.flags.once = true;
        } else if (arg == "--dry-run") {
            a.flags.dry_run = true;
        } else if (arg == "--identity") {
            if (!value(a.flags.identity)) return -1;
        } else if (arg == "--action-log") {
            if (!value(a.flags.action_log)) return -1;
        } else {
            std::fprintf(stderr, "kubeslurm-sync: unknown argument '%s'\n%s", arg.c_str(), kUsage);
            return -1;
        }
    }
    if (!a.config_given) a.config = ks::config::kDefaultPath;
    if (a.flags.identity.empty()) a.flags.identity = ks::sync_daemon::default_identity();
    return 0;
}

ks::Result<ks::config::Config> load_config(const Args& a) {
    auto cfg = ks::config::Config::load(a.config, !a.config_given);
    if (!cfg) return cfg;
    ks::log::Level lvl;
    if (ks::log::parse_level(cfg->str("LogLevel"), lvl)) ks::log::set_level(lvl);
    return cfg;
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    if (int r = parse_args(argc, argv, args); r != 0) return r > 0 ? 0 : 64;

    auto cfg = load_config(args);
    if (!cfg) {
        kLog.error(cfg.error());
        return 64;
    }
    auto conf = ks::sync_daemon::Reloadable::from(*cfg);
    if (!conf) {
        kLog.error(args.config, ": ", conf.error());
        return 64;
    }
    auto kube = ks::k8s::config_from(*cfg);
    if (!kube) {
        kLog.error("Kubernetes client configuration: ", kube.error());
        return 64;
    }
    // Signals are taken synchronously by this thread only; every other thread inherits the mask.
    sigset_t sigs;
    sigemptyset(&sigs);
    for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&sigs, s);
    pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

    ks::sync_daemon::Daemon daemon(std::move(*conf), std::make_unique<ks::k8s::Client>(std::move(*kube)),
                                   args.flags);
    if (args.flags.once) return daemon.run_once();

    int status = 0;
    std::thread worker([&] {
        status = daemon.run();
        // Wake the signal loop when the daemon ends by itself (e.g. the metrics port is taken).
        kill(getpid(), SIGTERM);
    });
    for (;;) {
        int sig = 0;
        if (sigwait(&sigs, &sig) != 0) continue;
        if (sig == SIGHUP) {
            kLog.info("SIGHUP: reloading ", args.config);
            auto fresh = load_config(args);
            auto next = fresh ? ks::sync_daemon::Reloadable::from(*fresh)
                              : ks::Result<ks::sync_daemon::Reloadable>(ks::Error{fresh.error()});
            if (!next) {
                kLog.error("reload failed, keeping the current configuration: ", next.error());
                continue;
            }
            daemon.reload(std::move(*next));
            continue;
        }
        kLog.info(sig == SIGTERM ? "SIGTERM" : "SIGINT", ": stopping");
        daemon.stop();
        break;
    }
    worker.join();
    return status;
}
