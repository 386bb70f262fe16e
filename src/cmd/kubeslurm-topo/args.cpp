#include "args.h"

#include <set>

namespace ks::topo_cli {
namespace {

const std::set<std::string> kWithValue = {"--config", "--topology", "--from", "--preset", "--domain-key",
                                          "--tier-keys", "--output", "--conf", "--format", "--nodes",
                                          "--slurm-version", "--block-size"};
const std::set<std::string> kFlags = {"--help", "--version", "--json", "--offline"};
const std::map<std::string, std::set<std::string>> kAllowed = {
    {"import", {"--config", "--from", "--preset", "--domain-key", "--tier-keys", "--output", "--conf", "--format",
                "--slurm-version", "--block-size"}},
    {"show", {"--config", "--topology", "--offline"}},
    {"explain", {"--config", "--topology", "--json", "--nodes"}},
};

}  // namespace

std::optional<std::string> Args::get(const std::string& option) const {
    auto it = values.find(option);
    if (it == values.end()) return std::nullopt;
    return it->second;
}

Result<Args> parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.size() > 2 && arg.rfind("--", 0) == 0) {
            std::string name = arg, value;
            bool inline_value = false;
            if (auto eq = arg.find('='); eq != std::string::npos) {
                name = arg.substr(0, eq);
                value = arg.substr(eq + 1);
                inline_value = true;
            }
            if (kFlags.count(name)) {
                if (inline_value) return Error{"option " + name + " takes no value"};
            } else if (kWithValue.count(name)) {
                if (!inline_value) {
                    if (i + 1 >= argc) return Error{"option " + name + " needs a value"};
                    value = argv[++i];
                }
            } else {
                return Error{"unknown option " + name};
            }
            a.values[name] = value;
        } else if (a.command.empty() && arg != "-") {
            if (!kAllowed.count(arg)) return Error{"unknown command '" + arg + "' (import, show or explain)"};
            a.command = arg;
        } else {
            a.positional.push_back(arg);
        }
    }
    if (a.has("--help") || a.has("--version")) return a;
    if (a.command.empty()) return Error{"no command given"};
    for (const auto& [name, value] : a.values)
        if (!kAllowed.at(a.command).count(name))
            return Error{"option " + name + " does not apply to '" + a.command + "'"};
    return a;
}

const char* usage() {
    return R"(Usage: kubeslurm-topo COMMAND [OPTIONS]

Commands:
  import [INPUT]     Read a topology and write topology.json (and optionally topology.conf).
                     INPUT (default -, stdin): `kubectl get nodes -o json` output (a NodeList,
                     List or single Node), a Slurm topology.conf, or a topology.json.
      --from FORMAT      auto (default), labels, conf or json
      --preset LIST      label presets, comma-separated (default: LabelPreset, "auto")
      --domain-key KEY   custom preset: label of the NVLink domain (LabelDomainKey)
      --tier-keys LIST   custom preset: labels of the switch tiers, leaf first (LabelTierKeys)
      --output FILE      topology.json to write, "-" for stdout (default: TopologyFile)
      --conf FILE        also write Slurm's topology.conf or topology.yaml, "-" for stdout
                         (default: TopologyConfFile)
      --format FORM      auto, tree, block or yaml (default: TopologyConfFormat; auto = yaml
                         for a *.yaml file, else tree)
      --slurm-version V  Slurm the file is for, e.g. 23.11 (default: TopologyConfSlurmVersion,
                         else the Slurm this command was built for)
      --block-size N     nodes per block in the block form (default: TopologyConfBlockSize;
                         0 = the most common NVLink domain size)
  show               Tree of core/spine/leaf switches and NVLink domains with the free,
                     allocated and drained node counts Slurm reports.
      --topology FILE    topology.json to show (default: TopologyFile)
      --offline          do not ask Slurm; node counts only
  explain JOBID      Which NVLink domains and leaf switches a job got, versus the fewest it
                     could have spanned in its partition.
      --topology FILE    topology.json (default: TopologyFile)
      --nodes HOSTLIST   explain this node set instead of a job (no Slurm needed)
      --json             one JSON object instead of text

Options for every command:
  --config FILE       kubeslurm.conf (default )" KUBESLURM_SYSCONFDIR R"(/kubeslurm.conf; a missing file is fine)
  --help, --version

Exit status: 0 success, 1 error (input, files, Slurm), 64 usage or configuration error.
)";
}

}  // namespace ks::topo_cli
