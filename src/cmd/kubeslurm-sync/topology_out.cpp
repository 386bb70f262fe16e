#include "topology_out.h"

#include <fstream>
#include <sstream>

#include "common/log.h"

namespace ks::sync_daemon {
namespace {

constexpr log::Logger kLog("sync: topology");

bool same_content(const std::string& path, const std::string& content) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream os;
    os << in.rdbuf();
    return os.str() == content;
}

Result<bool> write_one(const std::string& path, const std::string& content, bool dry_run) {
    if (dry_run) return !same_content(path, content);
    return topology::write_file_atomic(path, content);
}

}  // namespace

Result<bool> write_topology(std::vector<topology::Node> nodes, const TopologyTargets& t, bool dry_run) {
    auto topo = topology::Topology::build(std::move(nodes));
    if (!topo) return Error{"topology: " + topo.error()};
    bool changed = false;
    if (!t.json_file.empty()) {
        auto w = write_one(t.json_file, topology::to_json(*topo), dry_run);
        if (!w) return Error{"writing " + t.json_file + ": " + w.error()};
        if (*w)
            kLog.info(dry_run ? "would write " : "wrote ", t.json_file, " (", topo->size(), " nodes, ",
                      topo->blocks().size(), " blocks, hash ", topo->hash(), ")");
        changed = changed || *w;
    }
    if (!t.conf_file.empty()) {
        auto w = write_one(t.conf_file, topology::to_topology_conf(*topo, t.conf_format), dry_run);
        if (!w) return Error{"writing " + t.conf_file + ": " + w.error()};
        if (*w) kLog.info(dry_run ? "would write " : "wrote ", t.conf_file);
        changed = changed || *w;
    }
    return changed;
}

}  // namespace ks::sync_daemon
