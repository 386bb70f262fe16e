// kubeslurm-topo: import, show and explain the cluster topology (docs/topology.md).
#include <cstdio>

#include "args.h"
#include "commands.h"
#include "common/config.h"
#include "common/log.h"

namespace {
const ks::log::Logger logger("topo");
}

int main(int argc, char** argv) {
    using namespace ks::topo_cli;
    auto args = parse_args(argc, argv);
    if (!args) {
        logger.error(args.error());
        std::fputs(usage(), stderr);
        return kExitUsage;
    }
    if (args->has("--help")) {
        std::fputs(usage(), stdout);
        return kExitOk;
    }
    if (args->has("--version")) {
        std::printf("kubeslurm-topo %s\n", KUBESLURM_VERSION);
        return kExitOk;
    }
    const bool explicit_config = args->has("--config");
    auto cfg = ks::config::Config::load(args->get("--config").value_or(ks::config::kDefaultPath), !explicit_config);
    if (!cfg) {
        logger.error(cfg.error());
        return kExitUsage;
    }
    ks::log::Level level;
    if (ks::log::parse_level(cfg->str("LogLevel"), level)) ks::log::set_level(level);
    try {
        if (args->command == "import") return run_import(*args, *cfg);
        if (args->command == "show") return run_show(*args, *cfg);
        return run_explain(*args, *cfg);
    } catch (const std::exception& e) {
        logger.error("internal error: ", e.what());
        return kExitError;
    }
}
