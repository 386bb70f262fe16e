// Slurm topology.conf reader: tree form (SwitchName=) and block form (BlockName=).
#include <algorithm>
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

// At most this many names in all the hostlists of one file: far above any cluster, far below what
// exhausts memory. The bound is known before anything is expanded.
constexpr size_t kMaxListedNames = 1u << 18;

size_t saturating_add(size_t a, size_t b) { return a > kMaxListedNames || b > kMaxListedNames ? kMaxListedNames + 1 : a + b; }
size_t saturating_mul(size_t a, size_t b) { return a > kMaxListedNames || b > kMaxListedNames ? kMaxListedNames + 1 : std::min(a * b, kMaxListedNames + 1); }

// Names in "1-5,7" (one bracket group).
size_t range_count(std::string_view group) {
    size_t count = 0;
    for (const auto& part : str::split(group, ',')) {
        auto dash = part.find('-');
        if (dash == std::string::npos) {
            count = saturating_add(count, 1);
            continue;
        }
        auto lo = str::to_long(std::string_view(part).substr(0, dash));
        auto hi = str::to_long(std::string_view(part).substr(dash + 1));
        if (!lo || !hi || *lo < 0 || *hi < 0) return kMaxListedNames + 1;
        const long width = *hi > *lo ? *hi - *lo : *lo - *hi;
        count = saturating_add(count, static_cast<size_t>(std::min<long>(width, kMaxListedNames)) + 1);
    }
    return count;
}

// Upper bound of the names a hostlist expands to: Slurm multiplies the bracket groups of one name
// ("a[1-4]b[1-4]" is 16 names) and adds up the comma-separated names.
size_t expansion_bound(std::string_view list) {
    size_t total = 0, item = 1;
    for (size_t i = 0; i < list.size(); ++i) {
        if (list[i] == '[') {
            size_t close = list.find(']', i);
            if (close == std::string_view::npos) break;
            item = saturating_mul(item, range_count(list.substr(i + 1, close - i - 1)));
            i = close;
        } else if (list[i] == ',') {
            total = saturating_add(total, item);
            item = 1;
        }
    }
    return saturating_add(total, item);
}

}  // namespace

Result<Topology> parse_topology_conf(std::string_view text, const std::string& origin) {
    std::map<std::string, Switch> switches;
    std::vector<std::string> switch_order;
    std::map<std::string, std::string> block_of;   // node -> block
    std::map<std::string, std::string> leaf_of;    // node -> switch listing it
    std::vector<std::string> node_order;
    std::set<std::string> seen_nodes;
    size_t listed = 0;  // names in all hostlists so far (an upper bound)
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
            listed = saturating_add(listed, expansion_bound(it->second));
            if (listed > kMaxListedNames)
                return Error{where + ": the file lists more than " + std::to_string(kMaxListedNames) + " names"};
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
