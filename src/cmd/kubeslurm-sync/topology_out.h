// topology.json (and topology.conf when configured) from the Kubernetes labels, written atomically
// and only when the content changed.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "topology/topology.h"

namespace ks::sync_daemon {

struct TopologyTargets {
    std::string json_file;  // "" = none
    std::string conf_file;  // "" = none
    topology::ConfFormat conf_format = topology::ConfFormat::Tree;
};

// Value: whether any file was (or, with dry_run, would be) rewritten.
Result<bool> write_topology(std::vector<topology::Node> nodes, const TopologyTargets& targets, bool dry_run);

}  // namespace ks::sync_daemon
