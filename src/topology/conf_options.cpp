// Which Slurm topology file to write: form, Slurm version and block size, from kubeslurm.conf.
#include "common/config.h"
#include "common/strings.h"
#include "topology/topology.h"

namespace ks::topology {

SlurmVersion SlurmVersion::from_number(unsigned long number) {
    // SLURM_VERSION_NUMBER = SLURM_VERSION_NUM(major, minor, micro) = major << 16 | minor << 8 | micro
    return {static_cast<int>((number >> 16) & 0xff), static_cast<int>((number >> 8) & 0xff)};
}

Result<SlurmVersion> SlurmVersion::parse(std::string_view text) {
    auto parts = str::split(str::trim(text), '.', /*skip_empty=*/false);
    if (parts.size() == 2 || parts.size() == 3) {
        auto major = str::to_long(parts[0]), minor = str::to_long(parts[1]);
        if (major && minor && *major >= 0 && *major < 256 && *minor >= 0 && *minor < 256 &&
            (parts.size() == 2 || str::to_long(parts[2])))
            return SlurmVersion{static_cast<int>(*major), static_cast<int>(*minor)};
    }
    return Error{"'" + std::string(text) + "' is not a Slurm version (e.g. 24.11 or 24.11.5)"};
}

std::string SlurmVersion::str() const {
    std::string m = std::to_string(minor);
    return std::to_string(major) + "." + (m.size() < 2 ? "0" + m : m);
}

Result<ConfFormat> parse_conf_format(std::string_view text) {
    for (auto f : {ConfFormat::Auto, ConfFormat::Tree, ConfFormat::Block, ConfFormat::Yaml})
        if (str::iequals(text, conf_format_name(f))) return f;
    return Error{"unknown topology file format '" + std::string(text) + "' (auto, tree, block or yaml)"};
}

std::string_view conf_format_name(ConfFormat format) {
    switch (format) {
        case ConfFormat::Auto: return "auto";
        case ConfFormat::Tree: return "tree";
        case ConfFormat::Block: return "block";
        case ConfFormat::Yaml: return "yaml";
    }
    return "?";
}

Result<ConfOptions> ConfOptions::from_config(const config::Config& cfg, SlurmVersion built) {
    ConfOptions o;
    auto format = parse_conf_format(cfg.str("TopologyConfFormat"));
    if (!format) return Error{"TopologyConfFormat: " + format.error()};
    o.format = *format;
    o.slurm = built;
    if (const auto& v = cfg.str("TopologyConfSlurmVersion"); !v.empty()) {
        auto parsed = SlurmVersion::parse(v);
        if (!parsed) return Error{"TopologyConfSlurmVersion: " + parsed.error()};
        o.slurm = *parsed;
    }
    o.block_size = static_cast<uint32_t>(cfg.integer("TopologyConfBlockSize"));
    o.path = cfg.str("TopologyConfFile");
    return o;
}

Result<ConfFormat> ConfOptions::resolved_format() const {
    // Slurm picks the parser by file name: <conf dir>/topology.yaml is read as YAML (and then
    // topology.conf is ignored), anything else it reads is topology.conf.
    const bool yaml_name = path.size() >= 5 && path.compare(path.size() - 5, 5, ".yaml") == 0;
    ConfFormat f = format == ConfFormat::Auto ? (yaml_name ? ConfFormat::Yaml : ConfFormat::Tree) : format;
    if (f == ConfFormat::Yaml && !slurm.at_least(25, 5))
        return Error{"topology.yaml needs Slurm 25.05 or later (Slurm " + slurm.str() +
                     "): write topology.conf in tree or block form"};
    if (f == ConfFormat::Block && !slurm.at_least(23, 11))
        return Error{"topology/block needs Slurm 23.11 or later (Slurm " + slurm.str() + "): use the tree form"};
    if (f != ConfFormat::Yaml && yaml_name)
        return Error{"a " + std::string(conf_format_name(f)) + " form topology.conf must not be written to " +
                     path + ": Slurm would read it as topology.yaml"};
    return f;
}

}  // namespace ks::topology
