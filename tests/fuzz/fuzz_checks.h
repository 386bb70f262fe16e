// Invariants the fuzz targets check on every topology they accept: each Slurm topology file that
// kubeslurm writes from it has only kubeslurm's own lines and keys, and reads back.
#pragma once

#include <string>

#include "topology/slurm_out.h"
#include "topology/topology.h"

namespace ks::fuzz {

inline void check_lines(const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        std::string_view line(text.data() + start, (end == std::string::npos ? text.size() : end) - start);
        const bool ours = line.empty() || line[0] == '#' || line.rfind("SwitchName=", 0) == 0 ||
                          line.rfind("BlockName=", 0) == 0 || line.rfind("BlockSizes=", 0) == 0 ||
                          line.rfind("BlockLevels=", 0) == 0 || line[0] == '-' || line[0] == ' ';
        if (!ours) __builtin_trap();
        for (char c : line)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) __builtin_trap();
        start = end == std::string::npos ? text.size() : end + 1;
    }
}

inline void check_slurm_files(const topology::Topology& topo) {
    using topology::ConfFormat;
    for (auto format : {ConfFormat::Tree, ConfFormat::Block, ConfFormat::Yaml}) {
        topology::ConfOptions o;
        o.format = format;
        o.slurm = {25, 5};
        auto out = topology::to_slurm_topology(topo, o);
        if (!out) continue;
        check_lines(out->text);
        if (format == ConfFormat::Tree) {
            auto back = topology::parse_topology_conf(out->text, "generated");
            if (!back) __builtin_trap();
        }
    }
}

}  // namespace ks::fuzz
