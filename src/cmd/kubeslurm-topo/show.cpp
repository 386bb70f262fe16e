// kubeslurm-topo show: the topology tree with Slurm's free/allocated/drained counts.
#include <cstdio>

#include "commands.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "slurm/nodes.h"
#include "topology/render.h"

namespace ks::topo_cli {
namespace {

const log::Logger logger("topo: show");

topology::NodeUse use_of(const slurm::NodeState& n) {
    if (n.drain || n.down) return topology::NodeUse::Drained;
    if (n.state.rfind("ALLOCATED", 0) == 0 || n.state.rfind("MIXED", 0) == 0) return topology::NodeUse::Allocated;
    if (n.state.rfind("IDLE", 0) == 0) return topology::NodeUse::Free;
    return topology::NodeUse::Unknown;  // FUTURE, UNKNOWN, ...
}

}  // namespace

int run_show(const Args& args, const config::Config& cfg) {
    if (!args.positional.empty()) {
        logger.error("unexpected argument '", args.positional[0], "'");
        return kExitUsage;
    }
    auto topo = load_topology(args, cfg);
    if (!topo) {
        logger.error(topo.error());
        return kExitError;
    }
    if (args.has("--offline")) {
        std::fputs(topology::render_tree(*topo, nullptr).c_str(), stdout);
        return kExitOk;
    }
    std::time_t updated = 0;
    auto nodes = slurm::load_nodes(0, updated);
    if (!nodes) {
        logger.error("cannot read node states from slurmctld: ", nodes.error(), " (use --offline to show the topology alone)");
        return kExitError;
    }
    std::vector<topology::NodeUse> use(topo->size(), topology::NodeUse::Unknown);
    std::vector<std::string> outside;
    for (const auto& n : nodes->value()) {
        int64_t i = topo->index_of(n.name);
        if (i < 0)
            outside.push_back(n.name);
        else
            use[static_cast<size_t>(i)] = use_of(n);
    }
    std::fputs(topology::render_tree(*topo, &use).c_str(), stdout);
    if (!outside.empty())
        std::printf("%zu Slurm node(s) not in the topology: %s\n", outside.size(), hostlist::compress(outside).c_str());
    return kExitOk;
}

}  // namespace ks::topo_cli
