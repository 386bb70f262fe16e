#include "topology_out.h"

#include <fstream>
#include <sstream>

#include <slurm/slurm_version.h>

#include "common/log.h"
#include "slurm/nodes.h"
#include "topology/live_moves.h"

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

topology::SlurmVersion built_slurm_version() { return topology::SlurmVersion::from_number(SLURM_VERSION_NUMBER); }

Result<TopologyTargets> TopologyTargets::from_config(const config::Config& cfg) {
    TopologyTargets t;
    t.json_file = cfg.str("TopologyFile");
    auto conf = topology::ConfOptions::from_config(cfg, built_slurm_version());
    if (!conf) return Error{conf.error()};
    t.conf = *conf;
    if (!t.conf.path.empty())
        if (auto f = t.conf.resolved_format(); !f) return Error{"TopologyConfFile: " + f.error()};
    return t;
}

void LiveTopologyUpdates::written(const topology::Topology& topo, const topology::ConfOptions& conf) {
    if (!m_slurmctld) {
        m_slurmctld = topo;
        return;
    }
    auto moves = topology::live_block_moves(*m_slurmctld, topo, conf);
    if (!moves) {
        kLog.warning("cannot move nodes live: ", moves.error());
        return;
    }
    size_t moved = 0;
    for (const auto& m : moves->moves) {
        auto st = slurm::set_topology(m.node, m.topology);
        if (st) {
            moved++;
            kLog.info("moved ", m.node, " in slurmctld to ", m.topology.empty() ? "no topology" : m.topology);
        } else {
            kLog.warning("moving ", m.node, " to ", m.topology, ": ", st.error());
        }
    }
    std::set<std::string> fresh(moves->new_blocks.begin(), moves->new_blocks.end());
    if (fresh.empty()) {
        if (moved == moves->moves.size()) m_slurmctld = topo;
        m_reported_new.clear();
    } else if (fresh != m_reported_new) {
        std::string names;
        for (const auto& b : fresh) names += (names.empty() ? "" : ", ") + b;
        kLog.warning(conf.path, " has block(s) slurmctld lacks (", names,
                     "): their nodes move at the next `scontrol reconfigure`");
        m_reported_new = std::move(fresh);
    }
}

Result<bool> write_topology(std::vector<topology::Node> nodes, const TopologyTargets& t, bool dry_run,
                            LiveTopologyUpdates* live) {
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
    if (!t.conf.path.empty()) {
        auto conf = topology::to_slurm_topology(*topo, t.conf);
        if (!conf) return Error{"writing " + t.conf.path + ": " + conf.error()};
        auto w = write_one(t.conf.path, conf->text, dry_run);
        if (!w) return Error{"writing " + t.conf.path + ": " + w.error()};
        if (*w) {
            // Said when the file changes, not on every pass that finds it unchanged.
            kLog.info(dry_run ? "would write " : "wrote ", t.conf.path, " (",
                      topology::conf_format_name(conf->format), " form for Slurm ", t.conf.slurm.str(), ")");
            for (const auto& note : conf->warnings) kLog.warning(t.conf.path, ": ", note);
        }
        if (live && !dry_run && conf->format == topology::ConfFormat::Yaml && t.conf.slurm.at_least(25, 5) &&
            (*w || !live->started()))
            live->written(*topo, t.conf);
        changed = changed || *w;
    }
    return changed;
}

}  // namespace ks::sync_daemon
