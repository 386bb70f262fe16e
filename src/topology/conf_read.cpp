// Slurm topology.conf reader: tree form (SwitchName=) and block form (BlockName=).
#include <map>
#include <set>

#include "common/hostlist.h"
#include "common/strings.h"
#include "topology/file_io.h"
#include "topology/topology.h"

namespace ks::topology {
namespace {

struct Switch {
    std::vector<std::string> nodes;
    std::vector<std::string> children;
    std::string parent;
    int line = 0;
};

// Joins continuation lines (trailing '\') and strips comments; keeps the first line number.
std::vector<std::pair<int, std::string>> logical_lines(std::string_view text) {
    std::vector<std::pair<int, std::string>> out;
    std::string pending;
    int start = 0, number = 0;
    for (const auto& raw : str::split(text, '\n', /*skip_empty=*/false)) {
        ++number;
        std::string line = raw;
        if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::string_view t = str::trim(line);
        if (pending.empty()) start = number;
        if (!t.empty() && t.back() == '\\') {
            pending += std::string(t.substr(0, t.size() - 1)) + " ";
            continue;
        }
        pending += std::string(t);
        if (!str::trim(pending).empty()) out.emplace_back(start, pending);
        pending.clear();
    }
    if (!str::trim(pending).empty()) out.emplace_back(start, pending);
    return out;
}

}  // namespace

Result<Topology> parse_topology_conf(std::string_view text, const std::string& origin) {
    std::map<std::string, Switch> switches;
    std::vector<std::string> switch_order;
    std::map<std::string, std::string> block_of;   // node -> block
    std::map<std::string, std::string> leaf_of;    // node -> switch listing it
    std::vector<std::string> node_order;
    std::set<std::string> seen_nodes;
    auto note_node = [&](const std::string& n) {
        if (seen_nodes.insert(n).second) node_order.push_back(n);
    };

    for (const auto& [number, line] : logical_lines(text)) {
        std::string where = origin + ":" + std::to_string(number);
        std::map<std::string, std::string> kv;
        for (const auto& token : str::split(line, ' ')) {
            std::string_view tok = str::trim(token);
            if (tok.empty()) continue;
            auto eq = tok.find('=');
            if (eq == std::string_view::npos || eq == 0)
                return Error{where + ": expected Key=Value, got '" + std::string(tok) + "'"};
            std::string key = str::lower(tok.substr(0, eq));
            if (key != "switchname" && key != "switches" && key != "nodes" && key != "linkspeed" &&
                key != "blockname" && key != "blocksizes" && key != "blocklevels")
                return Error{where + ": unknown key '" + std::string(tok.substr(0, eq)) + "'"};
            kv[key] = std::string(tok.substr(eq + 1));
        }
        auto expand = [&](const std::string& key) -> Result<std::vector<std::string>> {
            auto it = kv.find(key);
            if (it == kv.end()) return std::vector<std::string>{};
            auto list = hostlist::expand(it->second);
            if (!list) return Error{where + ": " + list.error()};
            return list;
        };
        auto nodes = expand("nodes");
        if (!nodes) return Error{nodes.error()};

        if (kv.count("switchname")) {
            const std::string& name = kv["switchname"];
            if (name.empty()) return Error{where + ": empty SwitchName"};
            if (kv.count("blockname")) return Error{where + ": SwitchName and BlockName on one line"};
            if (switches.count(name)) return Error{where + ": switch '" + name + "' defined twice"};
            auto children = expand("switches");
            if (!children) return Error{children.error()};
            if (!nodes->empty() && !children->empty())
                return Error{where + ": switch '" + name + "' has both Nodes and Switches"};
            Switch& s = switches[name];
            s.line = number;
            s.nodes = *nodes;
            s.children = *children;
            switch_order.push_back(name);
            for (const auto& n : *nodes) {
                auto [it, fresh] = leaf_of.emplace(n, name);
                if (!fresh) return Error{where + ": node '" + n + "' is under switches '" + it->second + "' and '" + name + "'"};
                note_node(n);
            }
        } else if (kv.count("blockname")) {
            const std::string& name = kv["blockname"];
            if (name.empty()) return Error{where + ": empty BlockName"};
            for (const auto& n : *nodes) {
                auto [it, fresh] = block_of.emplace(n, name);
                if (!fresh) return Error{where + ": node '" + n + "' is in blocks '" + it->second + "' and '" + name + "'"};
                note_node(n);
            }
        } else if (!kv.count("blocksizes") && !kv.count("blocklevels")) {
            return Error{where + ": expected SwitchName=, BlockName=, BlockSizes= or BlockLevels="};
        }
    }

    for (const auto& name : switch_order) {
        for (const auto& child : switches[name].children) {
            auto it = switches.find(child);
            if (it == switches.end())
                return Error{origin + ":" + std::to_string(switches[name].line) + ": switch '" + name +
                             "' lists unknown switch '" + child + "'"};
            if (!it->second.parent.empty())
                return Error{origin + ": switch '" + child + "' has two parents ('" + it->second.parent +
                             "' and '" + name + "')"};
            it->second.parent = name;
        }
    }

    for (const auto& name : switch_order) {
        std::string s = switches[name].parent;
        for (size_t depth = 0; !s.empty(); ++depth, s = switches[s].parent)
            if (depth > switches.size()) return Error{origin + ": switch loop through '" + name + "'"};
    }

    std::vector<Node> out;
    for (const auto& name : node_order) {
        Node n{name, {}, {}};
        if (auto b = block_of.find(name); b != block_of.end()) n.domain = b->second;
        if (auto l = leaf_of.find(name); l != leaf_of.end()) {
            std::string s = l->second;
            for (; !s.empty() && n.tiers.size() < static_cast<size_t>(kMaxTiers); s = switches[s].parent)
                n.tiers.push_back(s);
        }
        if (auto st = check_ids(n); !st) return Error{origin + ": " + st.error()};
        out.push_back(std::move(n));
    }
    auto topo = Topology::build(std::move(out));
    if (!topo) return Error{origin + ": " + topo.error()};
    return topo;
}

Result<Topology> load_topology_conf(const std::string& path) {
    auto text = read_file(path);
    if (!text) return Error{text.error()};
    return parse_topology_conf(*text, path);
}

}  // namespace ks::topology
