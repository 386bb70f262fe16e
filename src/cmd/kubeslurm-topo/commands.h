// The three subcommands of kubeslurm-topo; each returns the process exit status.
#pragma once

#include "args.h"
#include "common/config.h"
#include "topology/topology.h"

namespace ks::topo_cli {

int run_import(const Args& args, const config::Config& cfg);
int run_show(const Args& args, const config::Config& cfg);
int run_explain(const Args& args, const config::Config& cfg);

// topology.json from --topology, else the TopologyFile key.
Result<topology::Topology> load_topology(const Args& args, const config::Config& cfg);

}  // namespace ks::topo_cli
