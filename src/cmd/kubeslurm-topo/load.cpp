#include "commands.h"

namespace ks::topo_cli {

Result<topology::Topology> load_topology(const Args& args, const config::Config& cfg) {
    std::string path = args.get("--topology").value_or(cfg.str("TopologyFile"));
    if (path.empty()) return Error{"no topology file: pass --topology or set TopologyFile"};
    return topology::load_json_file(path);
}

}  // namespace ks::topo_cli
