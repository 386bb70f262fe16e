#include "slurm_cli.h"

#include <algorithm>
#include <regex>

#include "common/strings.h"
#include "process.h"

namespace ks::burnin {

int gpu_count_of_gres(const std::string& gres) {
    int total = 0;
    // Entries are separated by commas outside parentheses: "gpu:a100:4(S:0-1),gpu:t4:1".
    std::string entry;
    int depth = 0;
    auto flush = [&] {
        std::string e = entry.substr(0, entry.find('('));
        entry.clear();
        auto parts = str::split(e, ':');
        if (parts.size() < 2 || parts[0] != "gpu") return;
        if (auto n = str::to_long(parts.back()); n && *n > 0) total += static_cast<int>(*n);
    };
    for (char c : gres) {
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (c == ',' && depth == 0) flush();
        else entry += c;
    }
    flush();
    return total;
}

std::map<std::string, SlurmNode> parse_show_nodes(const std::string& text) {
    std::map<std::string, SlurmNode> out;
    static const std::regex field(R"((\w+)=(\S*))");
    for (const auto& line : str::split(text, '\n')) {
        SlurmNode n;
        for (auto it = std::sregex_iterator(line.begin(), line.end(), field); it != std::sregex_iterator(); ++it) {
            const std::string key = (*it)[1], value = (*it)[2];
            if (key == "NodeName") n.name = value;
            else if (key == "State") n.state = value;
            else if (key == "Gres") n.gpus = gpu_count_of_gres(value);
        }
        if (!n.name.empty()) out[n.name] = n;
    }
    return out;
}

bool schedulable(const std::string& state) {
    for (const char* bad : {"DOWN", "DRAIN", "FAIL", "FUTURE", "NOT_RESPONDING", "POWERED_DOWN", "POWER_DOWN",
                            "MAINT", "REBOOT", "INVAL"})
        if (state.find(bad) != std::string::npos) return false;
    return !state.empty();
}

bool valid_node_name(const std::string& name) {
    static const std::regex ok(R"([A-Za-z0-9][A-Za-z0-9._-]{0,127})");
    return std::regex_match(name, ok);
}

Result<std::vector<std::string>> partition_nodes(const std::string& partition) {
    auto r = capture({"sinfo", "-h", "-N", "-p", partition, "-o", "%N"}, 60);
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"sinfo -p " + partition + ": " + std::string(str::trim(r->err))};
    std::vector<std::string> out;
    for (const auto& n : str::split(r->out, '\n'))
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    if (out.empty()) return Error{"partition " + partition + " has no nodes (or does not exist)"};
    return out;
}

Result<std::map<std::string, SlurmNode>> show_nodes() {
    auto r = capture({"scontrol", "-o", "show", "node"}, 60);
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"scontrol show node: " + std::string(str::trim(r->err))};
    return parse_show_nodes(r->out);
}

Status drain_node(const std::string& node, const std::string& reason) {
    if (!valid_node_name(node)) return Error{"refusing to drain oddly named node '" + node + "'"};
    auto r = capture({"scontrol", "update", "NodeName=" + node, "State=DRAIN", "Reason=" + reason}, 60);
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"scontrol update " + node + ": " + std::string(str::trim(r->err + r->out))};
    return {};
}

}  // namespace ks::burnin
