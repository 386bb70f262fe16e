// kubeslurm-topo explain: the NVLink domains and leaf switches a job spans, versus the fewest
// possible in its partition.
#include <cstdio>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "common/hostlist.h"
#include "common/log.h"
#include "common/strings.h"
#include "placement/placement.h"
#include "slurm_jobs.h"

namespace ks::topo_cli {
namespace {

const log::Logger logger("topo: explain");

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
    return out;
}

struct Subject {
    std::optional<JobPlacement> job;
    std::vector<std::string> nodes;
    std::vector<bool> usable;     // partition nodes in the topology; empty = all
    std::string usable_origin;    // "partition gpu" / "the topology"
};

// Usage errors (exit 64) are found before anything is loaded.
Status check_usage(const Args& args) {
    if (args.has("--nodes")) {
        if (!args.positional.empty()) return Error{"give either JOBID or --nodes"};
        return {};
    }
    if (args.positional.size() != 1) return Error{"usage: kubeslurm-topo explain JOBID | --nodes HOSTLIST"};
    auto id = str::to_long(args.positional[0]);
    if (!id || *id <= 0 || *id > 0xffffffffL) return Error{"not a job ID: '" + args.positional[0] + "'"};
    return {};
}

Result<Subject> subject(const Args& args, const topology::Topology& topo) {
    Subject s;
    s.usable_origin = "the topology";
    if (auto list = args.get("--nodes")) {
        auto nodes = hostlist::expand(*list);
        if (!nodes) return Error{"--nodes: " + nodes.error()};
        s.nodes = *nodes;
        return s;
    }
    auto job = load_job(static_cast<uint32_t>(*str::to_long(args.positional[0])));
    if (!job) return Error{job.error()};
    s.job = *job;
    auto nodes = hostlist::expand(job->nodes);
    if (!nodes) return Error{"job " + args.positional[0] + ": " + nodes.error()};
    s.nodes = *nodes;
    if (!job->partition.empty()) {
        auto part = partition_nodes(job->partition);
        if (part && !part->empty()) {
            s.usable.assign(topo.size(), false);
            for (const auto& n : *part)
                if (int64_t i = topo.index_of(n); i >= 0) s.usable[static_cast<size_t>(i)] = true;
            s.usable_origin = "partition " + job->partition;
        }
    }
    return s;
}

}  // namespace

int run_explain(const Args& args, const config::Config& cfg) {
    if (auto st = check_usage(args); !st) {
        logger.error(st.error());
        return kExitUsage;
    }
    auto topo = load_topology(args, cfg);
    if (!topo) {
        logger.error(topo.error());
        return kExitError;
    }
    auto s = subject(args, *topo);
    if (!s) {
        logger.error(s.error());
        return kExitError;
    }
    const auto span = placement::span_of(*topo, s->nodes);
    const uint32_t count = static_cast<uint32_t>(s->nodes.size());
    auto minimum = placement::minimum_domains(*topo, s->usable.empty() ? nullptr : &s->usable, count);
    const uint32_t placed = count - static_cast<uint32_t>(span.unknown.size());
    if (placed < count) minimum = placement::minimum_domains(*topo, s->usable.empty() ? nullptr : &s->usable, placed);
    const double ratio = minimum && *minimum > 0 ? double(span.domains.size()) / *minimum : 0.0;

    if (args.has("--json")) {
        nlohmann::json j{{"nodes", hostlist::compress(s->nodes)}, {"node_count", count},
                         {"domains", span.domains}, {"leaves", span.leaves},
                         {"unknown_nodes", span.unknown}, {"minimum_domains", minimum ? nlohmann::json(*minimum) : nlohmann::json()},
                         {"span_ratio", minimum && *minimum > 0 ? nlohmann::json(ratio) : nlohmann::json()},
                         {"minimum_basis", s->usable_origin}, {"topology_hash", topo->hash()}};
        if (s->job) {
            j["job_id"] = s->job->job_id;
            j["state"] = s->job->state;
            j["partition"] = s->job->partition;
            if (!s->job->reason.empty()) j["reason"] = s->job->reason;
        }
        std::printf("%s\n", j.dump(1).c_str());
        return kExitOk;
    }
    if (s->job) {
        std::printf("job %u (%s, partition %s)", s->job->job_id, s->job->state.c_str(),
                    s->job->partition.empty() ? "?" : s->job->partition.c_str());
        if (!s->job->reason.empty()) std::printf(": %s", s->job->reason.c_str());
        std::printf("\n");
        if (s->nodes.empty()) {
            std::printf("  no nodes allocated yet\n");
            return kExitOk;
        }
    }
    std::printf("  nodes:           %u (%s)\n", count, hostlist::compress(s->nodes).c_str());
    std::printf("  NVLink domains:  %zu (%s)\n", span.domains.size(), join(span.domains).c_str());
    std::printf("  leaf switches:   %zu (%s)\n", span.leaves.size(), join(span.leaves).c_str());
    if (minimum)
        std::printf("  minimum domains: %u (if every node of %s were free)\n  span ratio:      %.2f\n", *minimum,
                    s->usable_origin.c_str(), ratio);
    else
        std::printf("  minimum domains: n/a (%s has fewer than %u nodes)\n", s->usable_origin.c_str(), placed);
    if (!span.unknown.empty())
        std::printf("  not in the topology: %s\n", hostlist::compress(span.unknown).c_str());
    return kExitOk;
}

}  // namespace ks::topo_cli
