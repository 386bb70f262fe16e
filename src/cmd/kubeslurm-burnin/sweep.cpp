#include "sweep.h"

#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "common/child_process.h"
#include "common/strings.h"

namespace ks::burnin {

namespace {

using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string last_line(const std::string& text) {
    auto lines = str::split(text, '\n');
    return lines.empty() ? std::string() : lines.back();
}

// One job in flight.
struct Running {
    std::string key;  // node or group name
    std::string out_path, err_path;
    std::unique_ptr<ChildProcess> child;
};

std::string fmt_s(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f s", s);
    return buf;
}

// Starts jobs up to `parallel` at a time, stops any that outlive `limit_s` (srun cancels its job
// step on SIGTERM; the job's process group is killed 30 s later if it does not go), and hands each
// finished one to `done` (exit code, 128 + signal, or nullopt when it had to be stopped).
void run_jobs(const std::vector<std::pair<std::string, std::vector<std::string>>>& jobs, const std::string& raw_dir,
              int parallel, double limit_s,
              const std::function<void(const Running&, std::optional<int>)>& done) {
    std::vector<Running> running;
    size_t next = 0;
    while (next < jobs.size() || !running.empty()) {
        while (next < jobs.size() && static_cast<int>(running.size()) < parallel) {
            const auto& [key, argv] = jobs[next++];
            Running r{key, raw_dir + "/" + key + ".out", raw_dir + "/" + key + ".err", nullptr};
            ChildSpec spec;
            spec.path = argv.front();
            spec.args.assign(argv.begin() + 1, argv.end());
            spec.search_path = true;
            spec.deadline = std::chrono::milliseconds(static_cast<long long>(limit_s * 1000));
            spec.kill_grace = std::chrono::seconds(30);
            spec.stdout_file = r.out_path;
            spec.stderr_file = r.err_path;
            r.child = std::make_unique<ChildProcess>(spec);
            if (!r.child->outcome().started) {
                std::ofstream(r.err_path, std::ios::app) << r.child->outcome().failure << "\n";
                done(r, 127);
                continue;
            }
            running.push_back(std::move(r));
        }
        for (auto it = running.begin(); it != running.end();) {
            if (it->child->poll(std::chrono::milliseconds(0))) {
                const ChildOutcome& o = it->child->outcome();
                done(*it, o.timed_out ? std::nullopt : std::optional<int>(o.signal ? 128 + o.signal : o.exit_code));
                it = running.erase(it);
            } else {
                ++it;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

std::vector<std::string> common_args(const SweepPlan& plan, const std::string& job_name) {
    std::vector<std::string> a = {"srun", "--exclusive", "--job-name=" + job_name,
                                  "--time=" + std::to_string(job_minutes(plan)), "--kill-on-bad-exit=1"};
    if (!plan.partition.empty()) a.push_back("--partition=" + plan.partition);
    if (!plan.reservation.empty()) a.push_back("--reservation=" + plan.reservation);
    return a;
}

std::vector<std::string> checker_args(const SweepPlan& plan, const std::string& level) {
    std::vector<std::string> a = {plan.checker, "--level", level, "--json", "-"};
    if (level == "burnin") {
        a.push_back("--duration");
        a.push_back(std::to_string(static_cast<long>(std::ceil(plan.duration_s))) + "s");
    }
    if (!plan.config.empty()) {
        a.push_back("--config");
        a.push_back(plan.config);
    }
    return a;
}

NodeOutcome outcome_of(const std::string& node, const std::string& output, const std::string& errors,
                       std::optional<int> code, double limit_s) {
    NodeOutcome o;
    o.node = node;
    o.exit_code = code.value_or(-1);
    auto doc = extract_report(output);
    if (doc) {
        auto parsed = outcome_from_report(*doc);
        if (parsed) {
            parsed->exit_code = o.exit_code;
            return *parsed;
        }
        o.problem = parsed.error();
    } else if (!code) {
        o.status = "timeout";
        o.problem = "job did not finish within " + fmt_s(limit_s);
        o.reason = "kubeslurm: burn-in: timeout after " + fmt_s(limit_s);
        return o;
    } else {
        std::string why = last_line(errors);
        o.problem = "no checker report (exit " + std::to_string(*code) + ")" + (why.empty() ? "" : ": " + why);
    }
    o.status = "error";
    return o;
}

}  // namespace

int job_minutes(const SweepPlan& plan) {
    double seconds = (plan.level == "burnin" ? plan.duration_s * 1.2 : 0) + 600;
    return static_cast<int>(std::ceil(seconds / 60));
}

std::vector<std::string> node_job_argv(const SweepPlan& plan, const std::string& node) {
    auto a = common_args(plan, "kubeslurm-burnin");
    a.insert(a.end(), {"--nodes=1", "--ntasks=1", "--nodelist=" + node});
    auto it = plan.info.find(node);
    if (it != plan.info.end() && it->second.gpus > 0) a.push_back("--gres=gpu:" + std::to_string(it->second.gpus));
    auto c = checker_args(plan, plan.level);
    a.insert(a.end(), c.begin(), c.end());
    return a;
}

std::vector<std::string> group_job_argv(const SweepPlan& plan, const NodeGroup& group) {
    auto a = common_args(plan, "kubeslurm-burnin-nccl");
    std::string list;
    int gpus = -1;
    for (const auto& n : group.nodes) {
        list += (list.empty() ? "" : ",") + n;
        auto it = plan.info.find(n);
        int g = it != plan.info.end() ? it->second.gpus : 0;
        gpus = gpus < 0 ? g : std::min(gpus, g);
    }
    const std::string n = std::to_string(group.nodes.size());
    a.insert(a.end(), {"--nodes=" + n, "--ntasks=" + n, "--ntasks-per-node=1", "--nodelist=" + list, "--label"});
    if (gpus > 0) a.push_back("--gres=gpu:" + std::to_string(gpus));
    auto c = checker_args(plan, "nccl");
    a.insert(a.end(), c.begin(), c.end());
    return a;
}

std::string worst_status(const std::vector<std::string>& statuses) {
    static const std::vector<std::string> order = {"skip", "pass", "error", "timeout", "fail"};
    size_t worst = 0;
    for (const auto& s : statuses) {
        auto it = std::find(order.begin(), order.end(), s);
        size_t rank = it == order.end() ? 2 : static_cast<size_t>(it - order.begin());
        worst = std::max(worst, rank);
    }
    return statuses.empty() ? "error" : order[worst];
}

void run_node_jobs(const SweepPlan& plan, SweepResult& out, const ProgressFn& progress) {
    std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
    for (const auto& n : plan.nodes) jobs.emplace_back(n, node_job_argv(plan, n));
    const double limit_s = job_minutes(plan) * 60.0 + 120;  // queueing and start-up on top
    size_t finished = 0;
    run_jobs(jobs, plan.raw_dir, plan.parallel, limit_s, [&](const Running& r, std::optional<int> code) {
        NodeOutcome o = outcome_of(r.key, read_file(r.out_path), read_file(r.err_path), code, limit_s);
        o.node = r.key;  // the node we asked for, whatever the report says
        ++finished;
        progress("[" + std::to_string(finished) + "/" + std::to_string(jobs.size()) + "] " + o.node + ": " + o.status +
                 (o.reason.empty() ? (o.problem.empty() ? "" : " (" + o.problem + ")") : " (" + o.reason + ")"));
        out.nodes.push_back(std::move(o));
    });
    std::sort(out.nodes.begin(), out.nodes.end(), [&](const NodeOutcome& a, const NodeOutcome& b) {
        auto pos = [&](const std::string& n) { return std::find(plan.nodes.begin(), plan.nodes.end(), n) - plan.nodes.begin(); };
        return pos(a.node) < pos(b.node);
    });
}

void run_group_jobs(const SweepPlan& plan, SweepResult& out, const ProgressFn& progress) {
    // Only nodes that passed on their own: a known-bad node would only make its group fail.
    std::set<std::string> healthy;
    for (const auto& o : out.nodes)
        if (o.status == "pass" || o.status == "skip") healthy.insert(o.node);
    std::vector<NodeGroup> groups;
    for (auto g : plan.groups) {
        std::erase_if(g.nodes, [&](const std::string& n) { return !healthy.count(n); });
        if (g.nodes.size() >= 2) groups.push_back(std::move(g));
    }
    const double limit_s = job_minutes(plan) * 60.0 + 120;
    // Groups of one level are disjoint and run together; domains first, then leaf switches.
    for (const std::string kind : {"NVLink domain", "leaf switch"}) {
        std::vector<std::pair<std::string, std::vector<std::string>>> jobs;
        std::map<std::string, const NodeGroup*> by_key;
        for (const auto& g : groups) {
            if (g.kind != kind) continue;
            std::string key = (kind == "NVLink domain" ? "domain-" : "leaf-") + std::to_string(by_key.size() + 1);
            by_key[key] = &g;
            jobs.emplace_back(key, group_job_argv(plan, g));
        }
        run_jobs(jobs, plan.raw_dir, plan.parallel, limit_s, [&](const Running& r, std::optional<int> code) {
            const NodeGroup& g = *by_key[r.key];
            GroupOutcome go{g.kind, g.name, g.nodes, {}, "error", {}};
            std::string text = read_file(r.out_path);
            std::vector<std::string> statuses;
            for (const auto& [task, output] : split_labelled(text, false)) {
                (void)task;
                auto doc = extract_report(output);
                if (!doc) continue;
                auto o = outcome_from_report(*doc);
                if (!o) continue;
                statuses.push_back(o->status);
                go.reports.push_back(std::move(*o));
            }
            if (!code) go.problem = "did not finish within " + fmt_s(limit_s);
            else if (go.reports.size() < g.nodes.size())
                go.problem = std::to_string(go.reports.size()) + " of " + std::to_string(g.nodes.size()) +
                             " nodes reported (exit " + std::to_string(*code) + ")" +
                             (last_line(read_file(r.err_path)).empty() ? "" : ": " + last_line(read_file(r.err_path)));
            go.status = !code ? "timeout" : go.problem.empty() ? worst_status(statuses) : "error";
            progress(g.kind + " " + g.name + " (" + std::to_string(g.nodes.size()) + " nodes): " + go.status +
                     (go.problem.empty() ? "" : " (" + go.problem + ")"));
            out.groups.push_back(std::move(go));
        });
    }
}

}  // namespace ks::burnin
