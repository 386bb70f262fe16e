// kubeslurm-topo import: labels JSON / topology.conf / topology.json -> topology.json (+ .conf).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <sstream>

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
    auto format = topology::parse_conf_format(args.get("--format").value_or(cfg.str("TopologyConfFormat")));
    if (!format) {
        logger.error(format.error());
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
    std::string conf = args.get("--conf").value_or(cfg.str("TopologyConfFile"));
    if (!conf.empty()) rc = emit(conf, topology::to_topology_conf(*topo, *format), "topology.conf");
    return rc;
}

}  // namespace ks::topo_cli
