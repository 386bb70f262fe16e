// kubeslurm-topo import: labels JSON / topology.conf / topology.json -> topology.json (+ .conf).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

#include <slurm/slurm_version.h>

#include "commands.h"
#include "common/log.h"
#include "common/strings.h"
#include "topology/file_io.h"

namespace ks::topo_cli {
namespace {

const log::Logger logger("topo: import");

Result<std::string> read_input(const std::string& path) {
    if (path == "-") {
        std::ostringstream os;
        os << std::cin.rdbuf();
        return os.str();
    }
    return topology::read_file(path);
}

// JSON with "version" is our own file, other JSON is Kubernetes output, anything else topology.conf.
std::string detect(std::string_view text) {
    std::string_view t = str::trim(text);
    if (t.empty() || t.front() != '{') return "conf";
    return t.find("\"version\"") != std::string_view::npos && t.find("\"apiVersion\"") == std::string_view::npos
               ? "json"
               : "labels";
}

Result<topology::LabelOptions> label_options(const Args& args, const config::Config& cfg) {
    auto base = topology::LabelOptions::from_config(cfg);
    if (!base) return base;
    topology::LabelOptions o = *base;
    if (auto p = args.get("--preset")) o.presets = str::split(*p, ',');
    if (auto k = args.get("--domain-key")) o.domain_key = *k;
    if (auto k = args.get("--tier-keys")) o.tier_keys = str::split(*k, ',');
    if (auto st = o.validate(); !st) return Error{st.error()};
    return o;
}

// The Slurm topology file options: kubeslurm.conf, then the command line. The Slurm version
// defaults to the libslurm this binary was built for, which is the cluster's.
Result<topology::ConfOptions> conf_options(const Args& args, const config::Config& cfg) {
    auto o = topology::ConfOptions::from_config(cfg, topology::SlurmVersion::from_number(SLURM_VERSION_NUMBER));
    if (!o) return o;
    if (auto f = args.get("--format")) {
        auto format = topology::parse_conf_format(*f);
        if (!format) return Error{"--format: " + format.error()};
        o->format = *format;
    }
    if (auto v = args.get("--slurm-version")) {
        auto version = topology::SlurmVersion::parse(*v);
        if (!version) return Error{"--slurm-version: " + version.error()};
        o->slurm = *version;
    }
    if (auto b = args.get("--block-size")) {
        auto size = str::to_long(*b);
        if (!size || *size < 0 || *size > 65535) return Error{"--block-size: '" + *b + "' is not a number 0-65535"};
        o->block_size = static_cast<uint32_t>(*size);
    }
    if (auto c = args.get("--conf")) o->path = *c;
    if (!o->path.empty())
        if (auto f = o->resolved_format(); !f) return Error{f.error()};
    return o;
}

int emit(const std::string& path, const std::string& content, const char* what) {
    if (path == "-") {
        std::fputs(content.c_str(), stdout);
        return kExitOk;
    }
    auto written = topology::write_file_atomic(path, content);
    if (!written) {
        logger.error(written.error());
        return kExitError;
    }
    logger.info(what, " ", path, *written ? " written" : " unchanged");
    return kExitOk;
}

}  // namespace

int run_import(const Args& args, const config::Config& cfg) {
    if (args.positional.size() > 1) {
        logger.error("one INPUT at most");
        return kExitUsage;
    }
    std::string input = args.positional.empty() ? "-" : args.positional[0];
    std::string from = str::lower(args.get("--from").value_or("auto"));
    if (from != "auto" && from != "labels" && from != "conf" && from != "json") {
        logger.error("--from: unknown format '", from, "' (auto, labels, conf or json)");
        return kExitUsage;
    }
    auto conf_opts = conf_options(args, cfg);
    if (!conf_opts) {
        logger.error(conf_opts.error());
        return kExitUsage;
    }
    auto options = label_options(args, cfg);
    if (!options) {
        logger.error(options.error());
        return kExitUsage;
    }
    auto text = read_input(input);
    if (!text) {
        logger.error(text.error());
        return kExitError;
    }
    if (from == "auto") from = detect(*text);
    const std::string origin = input == "-" ? "<stdin>" : input;
    Result<topology::Topology> topo = Error{""};
    if (from == "labels") {
        topo = topology::from_node_labels(*text, *options);
        if (!topo) topo = Error{origin + ": " + topo.error()};
    } else if (from == "conf") {
        topo = topology::parse_topology_conf(*text, origin);
    } else {
        topo = topology::from_json(*text, origin);
    }
    if (!topo) {
        logger.error(topo.error());
        return kExitError;
    }
    if (topo->empty()) {
        logger.error(origin, ": no nodes found");
        return kExitError;
    }
    size_t with_domain = 0, with_leaf = 0;
    for (const auto& n : topo->nodes()) {
        with_domain += !n.domain.empty();
        with_leaf += !n.tiers.empty() && !n.tiers[0].empty();
    }
    logger.info(topo->size(), " nodes (", with_domain, " in an NVLink domain, ", with_leaf,
                " under a leaf switch) from ", from == "labels" ? "node labels" : from == "conf" ? "topology.conf" : "topology.json");

    int rc = emit(args.get("--output").value_or(cfg.str("TopologyFile")), topology::to_json(*topo), "topology.json");
    if (rc != kExitOk) return rc;
    if (conf_opts->path.empty()) return rc;
    auto conf = topology::to_slurm_topology(*topo, *conf_opts);
    if (!conf) {
        logger.error(conf_opts->path, ": ", conf.error());
        return kExitError;
    }
    for (const auto& note : conf->warnings) logger.warning(note);
    const bool yaml = conf->format == topology::ConfFormat::Yaml;
    logger.info("Slurm ", conf_opts->slurm.str(), ": ", topology::conf_format_name(conf->format), " form");
    return emit(conf_opts->path, conf->text, yaml ? "topology.yaml" : "topology.conf");
}

}  // namespace ks::topo_cli
