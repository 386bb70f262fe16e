// kubeslurm-burnin's logic without Slurm: reading checker output, outliers, the report
// renderings, the history and repeat offenders, and the multi-node groups.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cmd/kubeslurm-burnin/fleet_stats.h"
#include "cmd/kubeslurm-burnin/groups.h"
#include "cmd/kubeslurm-burnin/history.h"
#include "cmd/kubeslurm-burnin/options.h"
#include "cmd/kubeslurm-burnin/report.h"
#include "cmd/kubeslurm-burnin/slurm_cli.h"
#include "cmd/kubeslurm-burnin/sweep.h"

using namespace ks::burnin;

namespace {

std::string report_doc(const std::string& node, const std::string& status, double hbm, int device = 0) {
    return R"({"schema": "kubeslurm.gpucheck/v1", "node": ")" + node + R"(", "job_id": 7, "level": "burnin",
        "status": ")" + status + R"(", "duration_s": 61.5,
        "reason": )" + (status == "fail" ? R"("kubeslurm: gpu.hbm_bandwidth: 2100 < 2650 GB/s")" : R"("")") + R"(,
        "results": [{"check": "gpu.hbm_bandwidth", "status": ")" + status + R"(", "value": )" + std::to_string(hbm) +
           R"(, "threshold": 2650, "unit": "GB/s", "comparison": ">=", "device": )" + std::to_string(device) + R"(},
                    {"check": "hostnet", "status": "fail", "blame": "peers", "peers": ["n9"], "value": 1, "threshold": 10}],
        "culprits": ["n9"]})";
}

NodeOutcome outcome(const std::string& node, const std::string& status, double hbm) {
    auto j = extract_report(report_doc(node, status, hbm));
    REQUIRE(j.ok());
    auto o = outcome_from_report(*j);
    REQUIRE(o.ok());
    return *o;
}

}  // namespace

TEST_CASE("the checker's JSON is found in output with a table around it") {
    std::string out = "CHECK  STATUS\nhost.memory pass {not json}\nverdict: pass\n" + report_doc("n3", "pass", 3000) +
                      "\ntrailing line\n";
    auto j = extract_report(out);
    REQUIRE(j.ok());
    CHECK((*j)["node"] == "n3");
    CHECK_FALSE(extract_report("no report here\n{\"schema\": \"other\"}\n").ok());
    CHECK_FALSE(extract_report("").ok());

    auto o = outcome_from_report(*j);
    REQUIRE(o.ok());
    CHECK(o->status == "pass");
    CHECK(o->duration_s == 61.5);
    REQUIRE(o->results.size() == 2);
    CHECK(result_label(o->results[0]) == "gpu.hbm_bandwidth[0]");
    CHECK(o->results[1].blame == ks::health::Blame::Peers);
    CHECK(o->culprits == std::vector<std::string>{"n9"});

    CHECK_FALSE(outcome_from_report({{"node", "n1"}, {"status", "great"}, {"results", nlohmann::json::array()}}).ok());
    CHECK_FALSE(outcome_from_report({{"status", "pass"}}).ok());
}

TEST_CASE("srun --label output splits per task") {
    auto parts = split_labelled("0: {\"a\": 1}\n1: line one\n 1: line two\nsrun: error: something\n");
    REQUIRE(parts.size() == 2);
    CHECK(parts[0] == "{\"a\": 1}\n");
    CHECK(parts[1] == "line one\nline two\n");

    // A long JSON line cut into labelled chunks is whole again when the chunks are joined.
    std::string doc = report_doc("n7", "pass", 3000);
    std::erase(doc, '\n');
    std::string chunked = "0: table line\n0: " + doc.substr(0, 40) + "\n1: other\n0: " + doc.substr(40) + "\n";
    auto joined = split_labelled(chunked, false);
    auto j = extract_report(joined[0]);
    REQUIRE(j.ok());
    CHECK((*j)["node"] == "n7");
}

TEST_CASE("outliers: failures and figures far below the fleet median") {
    std::vector<NodeOutcome> nodes = {outcome("n1", "pass", 3000), outcome("n2", "pass", 2990),
                                      outcome("n3", "pass", 2700), outcome("n4", "fail", 2100)};
    auto series = collect_series(nodes, 0.05);
    REQUIRE(series.size() == 1);  // peer-blamed hostnet figures are not the node's own
    const auto& s = series[0];
    CHECK(s.check == "gpu.hbm_bandwidth");
    CHECK(s.median == Approx(2845));
    CHECK_FALSE(s.points[0].outlier);
    CHECK_FALSE(s.points[1].outlier);
    CHECK(s.points[2].outlier);  // 5.1% below the median
    CHECK(s.points[3].outlier);  // failed
    CHECK(s.outliers() == 2);
    CHECK(verdict_counts(nodes) == "3 pass, 1 fail");
}

TEST_CASE("reports: Markdown tables and a self-contained HTML page") {
    SweepResult sw;
    sw.id = "20261122T140000Z";
    sw.started = "2026-11-22T14:00:00Z";
    sw.finished = "2026-11-22T14:31:00Z";
    sw.level = "burnin";
    sw.duration_s = 1800;
    sw.nodes = {outcome("n1", "pass", 3000), outcome("n2", "pass", 2990), outcome("n3<x>", "fail", 2100)};
    sw.not_run = {{"n5", "state IDLE+DRAIN"}};
    sw.drained = {{"n3<x>", "kubeslurm: gpu.hbm_bandwidth: 2100 < 2650 GB/s"}};
    HistoryEntry bad{"t", "s", "n3<x>", "fail", {"gpu.hbm_bandwidth[0]"}};
    sw.lemons = lemons(summarize({bad, bad, {"t", "s", "n1", "pass", {}}}), 2);
    GroupOutcome g{"NVLink domain", "d1", {"n1", "n2"}, {}, "pass", {}};
    sw.groups = {g};

    std::string md = render_markdown(sw);
    CHECK_THAT(md, Catch::Contains("| n3<x> | fail |"));
    CHECK_THAT(md, Catch::Contains("| n5 | not run |"));
    CHECK_THAT(md, Catch::Contains("## Multi-node NCCL"));
    CHECK_THAT(md, Catch::Contains("| NVLink domain d1 | 2 | pass |"));
    CHECK_THAT(md, Catch::Contains("## Repeat offenders"));
    CHECK(std::regex_search(md, std::regex(R"(\| n3<x> \| 2 \| 2 \|)")));
    CHECK_THAT(md, Catch::Contains("| gpu.hbm_bandwidth | GB/s | 3 | 2100 | 2990 | 3000 | 1 |"));
    CHECK_THAT(md, Catch::Contains("## Drained"));

    std::string html = render_html(sw);
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK_THAT(html, Catch::Contains("<svg"));
    CHECK_THAT(html, Catch::Contains("class=\"outlier\""));
    CHECK_THAT(html, Catch::Contains("class=\"threshold\""));
    CHECK_THAT(html, Catch::Contains("n3&lt;x&gt;"));  // escaped
    CHECK(html.find("n3<x>") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("http") == std::string::npos);  // nothing external

    auto j = nlohmann::json::parse(render_json(sw));
    CHECK(j["schema"] == "kubeslurm.burnin/v1");
    CHECK(j["nodes"].size() == 3);
    CHECK(j["lemons"][0]["node"] == "n3<x>");
}

TEST_CASE("history: appended lines, malformed lines skipped, lemons worst first") {
    auto dir = std::filesystem::temp_directory_path() / ("ks-burnin-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::string path = (dir / "sub" / "history.jsonl").string();
    auto o = outcome("n4", "fail", 2100);
    REQUIRE(append_history(path, {history_entry(o, "2026-11-22T10:00:00Z", "s1"),
                                  history_entry(outcome("n1", "pass", 3000), "2026-11-22T10:00:00Z", "s1")})
                .ok());
    { std::ofstream(path, std::ios::app) << "garbage\n"; }
    REQUIRE(append_history(path, {history_entry(o, "2026-11-23T10:00:00Z", "s2")}).ok());
    int bad = 0;
    auto h = load_history(path, &bad);
    REQUIRE(h.ok());
    CHECK(bad == 1);
    REQUIRE(h->size() == 3);
    CHECK((*h)[0].failed == std::vector<std::string>{"gpu.hbm_bandwidth[0]"});  // not the peer-blamed hostnet
    auto records = summarize(*h);
    CHECK(records["n4"].failures == 2);
    CHECK(records["n4"].last_failure == "2026-11-23T10:00:00Z");
    CHECK(records["n1"].failures == 0);
    auto l = lemons(records, 2);
    REQUIRE(l.size() == 1);
    CHECK(l[0].first == "n4");
    CHECK(lemons(records, 3).empty());
    CHECK(load_history((dir / "missing.jsonl").string())->empty());
    std::filesystem::remove_all(dir);
}

TEST_CASE("multi-node groups per NVLink domain and leaf switch") {
    auto topo = ks::topology::Topology::build({{"n1", "d1", {"leaf1"}},
                                               {"n2", "d1", {"leaf1"}},
                                               {"n3", "d2", {"leaf1"}},
                                               {"n4", "d2", {"leaf2"}},
                                               {"n5", "", {"leaf2"}}});
    REQUIRE(topo.ok());
    auto groups = multinode_groups(*topo, {"n1", "n2", "n3", "n4", "n5"});
    REQUIRE(groups.size() == 4);
    CHECK(groups[0].kind == "NVLink domain");
    CHECK(groups[0].nodes == std::vector<std::string>{"n1", "n2"});
    CHECK(groups[1].nodes == std::vector<std::string>{"n3", "n4"});
    CHECK(groups[2].kind == "leaf switch");
    CHECK(groups[2].nodes == std::vector<std::string>{"n1", "n2", "n3"});
    CHECK(groups[3].nodes == std::vector<std::string>{"n4", "n5"});
    // Only swept nodes; a group that shrinks to one node disappears, duplicates are dropped.
    auto some = multinode_groups(*topo, {"n1", "n2", "n4"});
    REQUIRE(some.size() == 1);
    CHECK(some[0].name == "d1");
}

TEST_CASE("Slurm facts: GRES counts, node states, names") {
    CHECK(gpu_count_of_gres("gpu:8") == 8);
    CHECK(gpu_count_of_gres("gpu:h100:8(S:0-1)") == 8);
    CHECK(gpu_count_of_gres("gpu:a100:4(S:0),gpu:t4:1") == 5);
    CHECK(gpu_count_of_gres("(null)") == 0);
    CHECK(gpu_count_of_gres("nic:2") == 0);
    auto nodes = parse_show_nodes("NodeName=n1 Arch=x86_64 CoresPerSocket=1 Gres=gpu:4 State=IDLE ThreadsPerCore=1\n"
                                  "NodeName=n2 Gres=(null) State=IDLE+DRAIN Reason=kubeslurm: x\n");
    REQUIRE(nodes.size() == 2);
    CHECK(nodes["n1"].gpus == 4);
    CHECK(nodes["n2"].state == "IDLE+DRAIN");
    CHECK(schedulable("IDLE"));
    CHECK(schedulable("MIXED"));
    CHECK_FALSE(schedulable("IDLE+DRAIN"));
    CHECK_FALSE(schedulable("DOWN*"));
    CHECK(valid_node_name("gpu-001.rack2"));
    CHECK_FALSE(valid_node_name("n1;rm -rf"));
    CHECK_FALSE(valid_node_name("-n1"));
}

TEST_CASE("job command lines carry no shell and the right shape") {
    SweepPlan plan;
    plan.checker = "/usr/libexec/kubeslurm/kubeslurm-gpucheck";
    plan.duration_s = 1800;
    plan.partition = "gpu";
    plan.info["n1"] = {"n1", "IDLE", 8};
    plan.info["n2"] = {"n2", "IDLE", 4};
    auto a = node_job_argv(plan, "n1");
    CHECK(a.front() == "srun");
    CHECK(std::find(a.begin(), a.end(), "--nodelist=n1") != a.end());
    CHECK(std::find(a.begin(), a.end(), "--gres=gpu:8") != a.end());
    CHECK(std::find(a.begin(), a.end(), "--partition=gpu") != a.end());
    CHECK(std::find(a.begin(), a.end(), "--time=" + std::to_string(job_minutes(plan))) != a.end());
    CHECK(job_minutes(plan) == 46);  // 1.2 x 30 min + 10 min
    auto c = std::find(a.begin(), a.end(), plan.checker);
    REQUIRE(c != a.end());
    CHECK(std::vector<std::string>(c, a.end()) ==
          std::vector<std::string>{plan.checker, "--level", "burnin", "--json", "-", "--duration", "1800s"});
    auto g = group_job_argv(plan, {"NVLink domain", "d1", {"n1", "n2"}});
    CHECK(std::find(g.begin(), g.end(), "--nodelist=n1,n2") != g.end());
    CHECK(std::find(g.begin(), g.end(), "--ntasks-per-node=1") != g.end());
    CHECK(std::find(g.begin(), g.end(), "--label") != g.end());
    CHECK(std::find(g.begin(), g.end(), "--gres=gpu:4") != g.end());  // the smaller node
    CHECK(std::find(g.begin(), g.end(), "nccl") != g.end());
    CHECK(worst_status({"pass", "skip", "fail", "error"}) == "fail");
    CHECK(worst_status({"pass", "skip"}) == "pass");
    CHECK(worst_status({}) == "error");
}

TEST_CASE("command line") {
    auto parse = [](std::vector<std::string> args) {
        args.insert(args.begin(), "kubeslurm-burnin");
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        return parse_options(static_cast<int>(argv.size()), argv.data());
    };
    auto o = parse({"--partition", "gpu", "--duration=2h", "--drain", "--parallel", "8"});
    REQUIRE(o.ok());
    CHECK(o->partition == "gpu");
    CHECK(o->duration_s == 7200);
    CHECK(o->drain);
    CHECK(o->parallel == 8);
    CHECK_THAT(parse({}).error(), Catch::Contains("exactly one of"));
    CHECK_THAT(parse({"--nodes", "n1", "--partition", "p"}).error(), Catch::Contains("exactly one of"));
    CHECK_THAT(parse({"--nodes", "n1", "--duration", "soon"}).error(), Catch::Contains("--duration"));
    CHECK_THAT(parse({"--nodes", "n1", "--level", "slow"}).error(), Catch::Contains("--level"));
    CHECK_THAT(parse({"--nodes", "n1", "--parallel", "0"}).error(), Catch::Contains("--parallel"));
    CHECK_THAT(parse({"--nodes", "n1", "--bogus"}).error(), Catch::Contains("unknown option"));
    CHECK_THAT(parse({"--nodes"}).error(), Catch::Contains("needs a value"));
    CHECK(parse_seconds("90s") == 90);
    CHECK(parse_seconds("30m") == 1800);
    CHECK(parse_seconds("1.5h") == 5400);
    CHECK(parse_seconds("45") == 45);
    CHECK_FALSE(parse_seconds("-5m"));
    CHECK_FALSE(parse_seconds("m"));
}
