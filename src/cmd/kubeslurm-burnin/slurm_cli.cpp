#include "slurm_cli.h"

#include <algorithm>
#include <regex>

#include "common/child_process.h"
#include "common/strings.h"

namespace ks::burnin {

namespace {

// Runs one of Slurm's commands, looked up in PATH, to completion within a minute.
Result<ChildOutcome> run_slurm(const std::vector<std::string>& argv) {
    ChildSpec spec;
    spec.path = argv.front();
    spec.args.assign(argv.begin() + 1, argv.end());
    spec.search_path = true;
    spec.deadline = std::chrono::seconds(60);
    spec.max_output = 256u << 20;  // `scontrol show node` of a large cluster, whole
    auto out = run_child(spec);
    if (!out.started) return Error{out.failure};
    if (out.timed_out) return Error{argv.front() + " did not finish within 60 s"};
    return out;
}

}  // namespace

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
    auto r = run_slurm({"sinfo", "-h", "-N", "-p", partition, "-o", "%N"});
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"sinfo -p " + partition + ": " + std::string(str::trim(r->stderr_text))};
    std::vector<std::string> out;
    for (const auto& n : str::split(r->stdout_text, '\n'))
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    if (out.empty()) return Error{"partition " + partition + " has no nodes (or does not exist)"};
    return out;
}

Result<std::map<std::string, SlurmNode>> show_nodes() {
    auto r = run_slurm({"scontrol", "-o", "show", "node"});
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"scontrol show node: " + std::string(str::trim(r->stderr_text))};
    return parse_show_nodes(r->stdout_text);
}

Status drain_node(const std::string& node, const std::string& reason) {
    if (!valid_node_name(node)) return Error{"refusing to drain oddly named node '" + node + "'"};
    auto r = run_slurm({"scontrol", "update", "NodeName=" + node, "State=DRAIN", "Reason=" + reason});
    if (!r) return Error{r.error()};
    if (r->exit_code != 0) return Error{"scontrol update " + node + ": " + std::string(str::trim(r->stderr_text + r->stdout_text))};
    return {};
}

}  // namespace ks::burnin
