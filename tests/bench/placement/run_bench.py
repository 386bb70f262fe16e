#!/usr/bin/python3
"""make bench-placement: the same seeded job trace on a real slurmctld with 128 virtual nodes,
first on stock select/cons_tres + topology/tree (tree built from the same topology) and, on
Slurm >= 23.11, stock select/cons_tres + topology/block fed by kubeslurm-topo's own block output,
then on select/cons_tres_topo under each policy, every configuration with the same SPANK plugin;
all of that --rounds times (makespan varies a few % from run to run on a shared machine). Prints
a table of means, then the `prefer` figures as key=value.

Two traces:
  production (default)  run times 20-200 s against bf_interval=2 (at least 10 cycles each), time
                        limits 1.5-3 x the run time, Slurm's time parameters scaled with bf_interval
                        from their defaults (bf_interval=30: x 1/15), about 10 min per configuration
  --smoke               the fast toy trace: 300 jobs of 2-12 s, bf_interval=1, 5-minute limits

  span ratio          mean over multi-node jobs of domains spanned / fewest possible
  single-domain %     of the jobs that fit one domain, the share that got one
  makespan ratio      ours / the better stock configuration (first submit to last end)
  sched time ratio    ours / that stock configuration, slurmctld scheduler time per job (main +
                      backfill, sdiag)
  block_span_ratio    stock topology/block's span ratio
  block_makespan_ratio  stock topology/block's makespan / stock topology/tree's
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pathlib
import re
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))
sys.path.insert(0, str(HERE))

import slurmcluster  # noqa: E402
from slurmcluster import SlurmCluster, _parse_kv  # noqa: E402
from topo_cluster import (Layout, build_test_spank, expand_hostlist, min_domains, span,  # noqa: E402
                          write_atomic)
from trace import make_trace  # noqa: E402


DOMAIN_SIZES = [18, 16, 15, 13, 18, 17, 16, 15]  # 128 nodes, 8 domains of 12-18, 2 leaves
DOMAINS_FILE = "domains.json"  # in the work folder: each node's domain, for --span-cost jobs


def layout() -> Layout:
    domains, first = {}, 1
    for i, size in enumerate(DOMAIN_SIZES):
        leaf = "leaf1" if i < len(DOMAIN_SIZES) // 2 else "leaf2"
        domains[f"nvl{i + 1}"] = (leaf, [f"n{k}" for k in range(first, first + size)])
        first += size
    return Layout(domains)


# Slurm's defaults of its time parameters, scaled together by bf_interval / 30 (a production
# cluster keeps bf_interval=30; this one runs its jobs that much shorter).
SLURM_DEFAULT_BF_INTERVAL = 30
SCALED_DEFAULTS = {"bf_resolution": 60, "sched_interval": 60}


def scaled_max_wait(args) -> int:
    """TopologyMaxWait, an absolute bound in seconds, scaled as Slurm's time parameters are."""
    return max(1, round(key_default("TopologyMaxWait") * args.bf_interval / SLURM_DEFAULT_BF_INTERVAL))


def sched_params(args) -> str:
    scale = args.bf_interval / SLURM_DEFAULT_BF_INTERVAL
    scaled = ",".join(f"{k}={max(1, round(v * scale))}" for k, v in SCALED_DEFAULTS.items())
    return (f"SchedulerParameters=bf_interval={args.bf_interval},{scaled},"
            f"default_queue_depth={args.jobs},bf_max_job_test={args.jobs},bf_continue")


def sdiag_sched_us(c: SlurmCluster) -> float:
    """Total scheduler time (main + backfill) in microseconds, from sdiag."""
    text = c.run(["sdiag"]).stdout
    total = 0.0
    for section in re.split(r"\n(?=Main schedule statistics|Backfilling stats)", text):
        if not section.startswith(("Main schedule statistics", "Backfilling stats")):
            continue
        cycles = re.search(r"Total cycles:\s+(\d+)", section)
        mean = re.search(r"Mean cycle:\s+(\d+)", section)
        if cycles and mean:
            total += int(cycles.group(1)) * int(mean.group(1))
    return total


def parse_time(value: str) -> float:
    return dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S").timestamp()


def run_one(name: str, args, topo: Layout, trace, work: pathlib.Path, round_no: int) -> dict:
    build = pathlib.Path(args.build)
    kw = dict(nodes=sum(DOMAIN_SIZES), cpus=1, memory_mb=500,
              # Finished jobs must stay in slurmctld's memory until the run's records are read at
              # its end, however long it ran (the harness's MinJobAge=600 is overridden: last wins).
              extra_conf=[sched_params(args), "MaxJobCount=20000", f"MinJobAge={args.timeout + 60}"])
    # Every configuration loads the same SPANK plugin (block's jobs need its option), so that
    # they differ in the select plugin only. Suffixes: "+tree" runs ours over stock's
    # topology/tree too; "+bare" loads no SPANK plugin (stock+bare: stock as measured before).
    config, extra = configuration(name)
    if extra != "bare":
        kw["plugstack"] = [f"required {build_test_spank(work)}"]
    if extra == "block":
        kw.update(topology_plugin="topology/block", topology_conf=block_conf(topo, work))
    elif extra == "tree" or config == "stock":
        kw.update(topology_plugin="topology/tree", topology_conf=topo.tree_conf())
    if config == "stock":
        kw.update(select_type="select/cons_tres")
    else:
        # "prefer:15" = policy prefer with TopologyMaxWait=15, "prefer:6i0" also with
        # TopologyIdleWaitPercent=0 (to compare waits in one run).
        policy, wait, idle = policy_waits(config)
        topo_file = work / "topology.json"
        write_atomic(topo_file, topo.to_json())
        conf = work / f"kubeslurm-{name.replace(':', '-').replace('+', '-')}.conf"
        conf.write_text(f"TopologyFile={topo_file}\nTopologyPolicy={policy}\n"
                        f"TopologyMaxWait={scaled_max_wait(args)}\n"
                        + (f"TopologyWaitLimitPercent={wait}\n" if wait else "")
                        + (f"TopologyIdleWaitPercent={idle}\n" if idle else ""))
        kw.update(select_type="select/cons_tres_topo", plugin_dirs=[str(build / "plugins")],
                  env={"KUBESLURM_CONF": str(conf)})
    c = start_cluster(kw)
    try:
        base_us = sdiag_sched_us(c)
        ids = {}
        t0 = time.time()
        for job in trace:
            if job.arrival_s:  # --arrivals: submit each job at its time
                time.sleep(max(0.0, t0 + job.arrival_s - time.time()))
            extra = []
            if config == "block" and job.nodes > max(DOMAIN_SIZES):
                extra = ["--ks-test-topology=leaf"]  # would never start under block
            ids[c.sbatch([f"-N{job.nodes}", "--exclusive", f"--time={job.limit_min}", f"-J{name}-{job.index}",
                          *extra], job_script(job, args, topo, work))] = job
        deadline = t0 + args.timeout
        while time.time() < deadline:
            out = c.run(["squeue", "-h", "-o", "%i"]).stdout.split()
            if not out:
                break
            time.sleep(1)
        else:
            raise TimeoutError(f"{name}: jobs still queued after {args.timeout} s")
        sched_us = sdiag_sched_us(c) - base_us
        records = []
        text = c.run(["scontrol", "-o", "show", "job"]).stdout
        for line in text.splitlines():
            kv = _parse_kv(line)
            if "JobId" in kv and int(kv["JobId"]) in ids:
                records.append(kv)
        if len(records) != len(ids):  # figures over a part of the trace would mislead
            raise RuntimeError(f"{name}: slurmctld kept {len(records)} of {len(ids)} job records")
    finally:
        c.stop(force=True)
    if args.records:
        pathlib.Path(args.records).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(args.records) / f"{name.replace(':', '_')}-{round_no}.json").write_text(json.dumps(
            [{"job": ids[int(kv["JobId"])].index, "nodes": kv.get("NodeList"), "submit": kv["SubmitTime"],
              "start": kv["StartTime"], "end": kv["EndTime"]} for kv in records], indent=0))
    return summarize(name, topo, ids, records, sched_us)


def block_conf(topo: Layout, work: pathlib.Path) -> str:
    """topology.conf for stock topology/block, as kubeslurm-topo writes it for this Slurm. The
    base block is the smallest domain: on 24.x a rack smaller than the base block is left out
    of every block, and that would take its nodes from stock block's jobs."""
    source = work / "topology-for-block.json"
    write_atomic(source, topo.to_json())
    (work / "empty.conf").write_text("")
    out = work / "topology-block.conf"
    topo_bin = pathlib.Path(os.environ["KUBESLURM_BUILD"]) / "bin" / "kubeslurm-topo"
    r = subprocess.run([str(topo_bin), "import", str(source), "--config", str(work / "empty.conf"),
                        "--output", str(work / "topology-block-copy.json"), "--conf", str(out),
                        "--format", "block", "--block-size", str(min(DOMAIN_SIZES))],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"kubeslurm-topo import --format block: {r.stderr.strip()}")
    return out.read_text()


def policy_waits(config: str) -> tuple[str, str, str]:
    """"prefer:10i0" -> ("prefer", "10", "0"); "prefer" -> ("prefer", "", "")."""
    policy, _, waits = config.partition(":")
    wait, _, idle = waits.partition("i")
    return policy, wait, idle


def configuration(name: str) -> tuple[str, str]:
    """"prefer:6i0+tree" -> ("prefer:6i0", "tree"); ValueError for a name run_one cannot run."""
    config, _, extra = name.partition("+")
    policy, wait, idle = policy_waits(config)
    if policy not in ("stock", "any", "prefer", "block", "leaf"):
        raise ValueError(f"{name}: unknown configuration {policy!r} (stock, any, prefer, block, leaf)")
    if ":" in config and (policy == "stock" or not wait.isdigit() or not (idle.isdigit() or idle == "")):
        raise ValueError(f"{name}: expected {policy}:N or {policy}:NiP, whole percents")
    if extra not in ("", "tree", "bare", "block"):
        raise ValueError(f"{name}: unknown suffix +{extra} (known: +tree, +bare, +block)")
    if extra == "block" and policy != "stock":
        raise ValueError(f"{name}: +block is stock Slurm's topology/block (stock+block)")
    if extra == "bare" and policy == "block":
        raise ValueError(f"{name}: block's jobs need the SPANK plugin that +bare leaves out")
    return config, extra


def job_script(job, args, topo: Layout, work: pathlib.Path) -> str:
    """The job sleeps its run time; with --span-cost, longer for each domain beyond its fewest
    (main() writes the node-to-domain map it reads, once per benchmark)."""
    if not args.span_cost:
        return f"#!/bin/sh\nsleep {job.seconds}\n"
    return (f"#!/bin/sh\nexec /usr/bin/python3 {HERE / 'span_cost_job.py'} {job.seconds} "
            f"{min_domains(topo, job.nodes)} {args.span_cost} {work / DOMAINS_FILE}\n")


def start_cluster(kw: dict) -> SlurmCluster:
    """Starts a cluster, once more if a daemon lost its port to another process meanwhile."""
    for attempt in (1, 2):
        try:
            return SlurmCluster(**kw).start()
        except (TimeoutError, RuntimeError) as e:
            if attempt == 2:
                raise
            print(f"  cluster start failed, retrying: {str(e).splitlines()[0][:200]}",
                  file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def summarize(name, topo: Layout, ids, records, sched_us) -> dict:
    largest = max(DOMAIN_SIZES)
    ratios, fit_one, got_one, node_s, waits = [], 0, 0, 0.0, []
    submit, end = [], []
    host_re = re.compile(r"n\d+")
    for kv in records:
        job = ids[int(kv["JobId"])]
        nodes = expand_hostlist(kv.get("NodeList", ""))
        if len(nodes) != job.nodes or kv.get("JobState") != "COMPLETED":
            raise RuntimeError(f"{name}: job {kv['JobId']} {kv.get('JobState')} on {nodes}")
        assert all(host_re.fullmatch(n) for n in nodes)
        domains, _ = span(topo, nodes)
        if job.nodes > 1:
            ratios.append(len(domains) / min_domains(topo, job.nodes))
        if job.nodes <= largest:
            fit_one += 1
            got_one += len(domains) == 1
        s, e, sub = parse_time(kv["StartTime"]), parse_time(kv["EndTime"]), parse_time(kv["SubmitTime"])
        node_s += job.nodes * (e - s)
        waits.append(s - sub)
        submit.append(sub)
        end.append(e)
    makespan = max(end) - min(submit)
    return {
        "name": name,
        "span_ratio": sum(ratios) / len(ratios),
        "single_domain_pct": 100.0 * got_one / fit_one,
        "makespan_s": makespan,
        "wait_s": sum(waits) / len(waits),  # mean queue time (submit to start)
        "utilisation": node_s / (sum(DOMAIN_SIZES) * makespan),
        "sched_us_per_job": sched_us / len(records),
    }


def factor_range(text: str) -> tuple[float, float]:
    lo, _, hi = text.partition(":")
    try:
        low, high = float(lo), float(hi or lo)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected LO:HI, e.g. 1:3") from None
    if not 1 <= low <= high:
        raise argparse.ArgumentTypeError(f"{text!r}: need 1 <= LO <= HI (a limit below the run time kills the job)")
    return low, high


def span_cost(text: str) -> float:
    try:
        cost = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number, e.g. 0.2") from None
    if not 0 <= cost <= 10:
        raise argparse.ArgumentTypeError(f"{text!r}: need 0 <= COST <= 10")
    return cost


# The two traces (--smoke: the toy one). Any option given on the command line wins.
PROFILES = {
    "production": dict(jobs=100, min_seconds=20.0, max_seconds=200.0, limit_factor=(1.5, 3.0),
                       bf_interval=2, rounds=1),
    "smoke": dict(jobs=300, min_seconds=2.0, max_seconds=12.0, limit_factor=None, bf_interval=1,
                  rounds=1),
}


def slurm_has_block() -> bool:
    """topology/block exists from Slurm 23.11 (the version the Makefile hands the benchmark)."""
    version = os.environ.get("KUBESLURM_SLURM_VERSION", "")
    parts = [int(x) for x in re.findall(r"\d+", version)[:2]]
    return len(parts) == 2 and tuple(parts) >= (23, 11)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.environ.get("KUBESLURM_BUILD", str(ROOT / "build" / "release")))
    ap.add_argument("--smoke", action="store_true", help="the fast toy trace instead of the production one")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--seed", type=int, default=20260522)
    ap.add_argument("--min-seconds", type=float)
    ap.add_argument("--max-seconds", type=float)
    ap.add_argument("--limit-factor", metavar="LO:HI", type=factor_range,
                    help="time limit = run time x a factor drawn from [LO, HI], in whole minutes "
                         "(production: 1.5:3; smoke: --time=5 for every job)")
    ap.add_argument("--span-cost", metavar="COST", type=span_cost, default=0.0,
                    help="a job runs longer by COST x its run time for every NVLink domain it "
                         "spans beyond the fewest that could hold it (default 0: placement does "
                         "not change run times; a job stretched past its limit times out and "
                         "fails the run)")
    ap.add_argument("--arrivals", metavar="SECONDS", type=float, default=0.0,
                    help="submit the jobs as a Poisson process over about SECONDS instead of all "
                         "at once (a steady load: compare the mean wait as well as makespan)")
    ap.add_argument("--policies", default="block,any,prefer",
                    help="ours, in order, prefer (the default) last; prefer:N = "
                         "TopologyWaitLimitPercent=N, prefer:NiP = and TopologyIdleWaitPercent=P; "
                         "a +tree suffix (any+tree, prefer+tree) adds stock's topology/tree under "
                         "ours, +bare (stock+bare) loads no SPANK plugin")
    ap.add_argument("--no-stock-block", action="store_true",
                    help="leave out stock topology/block (run by default on Slurm >= 23.11)")
    ap.add_argument("--bf-interval", type=int, help="backfill interval; Slurm's other time "
                    "parameters are scaled with it (production: 2, smoke: 1)")
    ap.add_argument("--rounds", type=int,
                    help="run every configuration this many times (stock first in each round) "
                         "and report means (default 1): makespan varies 2-3 %% from run to run")
    ap.add_argument("--records", help="write each run's job records (JSON) here")
    ap.add_argument("--timeout", type=int, default=None,
                    help="per configuration, seconds (default 35 x --max-seconds, at least 420)")
    args = ap.parse_args()
    profile = "smoke" if args.smoke else "production"
    for key, value in PROFILES[profile].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.arrivals < 0:  # bad input first, before the build and cluster checks
        ap.error("--arrivals: need SECONDS >= 0")
    if args.bf_interval < 1:
        ap.error("--bf-interval: need at least 1 s")
    if args.limit_factor and args.min_seconds * args.limit_factor[0] < 60 and profile != "smoke":
        print(f"bench-placement: note: limits of jobs under {60 / args.limit_factor[0]:.0f} s round "
              f"up to Slurm's 1 minute", file=sys.stderr)
    stock = ["stock"] + ([] if args.no_stock_block or not slurm_has_block() else ["stock+block"])
    names = stock + [p for p in args.policies.split(",") if p]
    if len(set(names)) != len(names):
        ap.error(f"--policies: a configuration named twice in {','.join(names)} (stock runs first anyway)")
    for name in names:
        try:
            configuration(name)
        except ValueError as e:
            ap.error(f"--policies: {e}")
    # A pytest session ending elsewhere on this machine sweeps every process tagged as a test
    # cluster (conftest.pytest_sessionfinish); a benchmark beside it uses its own tag, with the
    # same teardown guarantees (the harness reads the tag name at call time). Set here, not at
    # import, so that tools importing this module (timeline.py) leave the tag alone.
    slurmcluster.TAG = "KUBESLURM_BENCH_CLUSTER"
    if args.timeout is None:
        args.timeout = max(420, int(35 * args.max_seconds))

    plugin = pathlib.Path(args.build) / "plugins" / "select_cons_tres_topo.so"
    if not plugin.exists():
        print(f"bench-placement: {plugin} missing: build it first", file=sys.stderr)
        return 2
    os.environ["KUBESLURM_BUILD"] = args.build
    topo = layout()
    trace = make_trace(args.seed, args.jobs, args.min_seconds, args.max_seconds, args.limit_factor,
                       args.arrivals)
    work = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"ks-bench-placement-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    if args.span_cost:
        write_atomic(work / DOMAINS_FILE, json.dumps(topo.node_domain()))
    arrival = f"arriving over about {args.arrivals:g} s" if args.arrivals else "all submitted at once"
    print(f"bench-placement ({profile} trace): {args.jobs} jobs (seed {args.seed}, "
          f"{args.min_seconds:g}-{args.max_seconds:g} s, exclusive, {arrival}), "
          f"{sum(DOMAIN_SIZES)} nodes in domains {DOMAIN_SIZES} under 2 leaves, time limits "
          f"{'5 min' if not args.limit_factor else 'run time x %g-%g' % args.limit_factor}, "
          f"{'run time + %g x per domain beyond the fewest, ' % args.span_cost if args.span_cost else ''}"
          f"Slurm {os.environ.get('KUBESLURM_SLURM_VERSION', '?')} {sched_params(args)}, kubeslurm "
          + " ".join(f"{k}={scaled_max_wait(args) if k == 'TopologyMaxWait' else key_default(k)}"
                     for k in WAIT_KEYS), flush=True)
    runs: dict[str, list[dict]] = {name: [] for name in names}
    for round_no in range(1, args.rounds + 1):
        for name in names:
            t = time.time()
            r = run_one(name, args, topo, trace, work, round_no)
            runs[name].append(r)
            print(f"  round {round_no}/{args.rounds} {name}: done in {time.time() - t:.0f} s "
                  f"(span {r['span_ratio']:.2f}, single-domain {r['single_domain_pct']:.1f} %, "
                  f"makespan {r['makespan_s']:.0f} s)", file=sys.stderr, flush=True)
    report(args, names, runs, stock)
    return 0


WAIT_KEYS = ("TopologyMaxWait", "TopologyWaitCycles", "TopologyWaitLimitPercent", "TopologyIdleWaitPercent")
LABELS = {"stock": "stock cons_tres+tree", "stock+block": "stock cons_tres+block"}


def report(args, names: list[str], runs: dict[str, list[dict]], stock: list[str]):
    results = {name: mean_of(name, runs[name]) for name in names}
    # Ours against the better stock configuration of this run, by makespan.
    best = min(stock, key=lambda n: results[n]["makespan_s"])
    base = results[best]
    print(f"means of {args.rounds} round(s); ratios against {LABELS[best]} (the better stock)")
    print(f"{'configuration':<28} {'span':>6} {'1-domain%':>9} {'makespan s':>10} {'wait s':>6} {'util':>5} "
          f"{'sched us/job':>12} {'makespan x':>10} {'sched x':>8}  makespan x by round")
    for name in names:
        r = results[name]
        label = LABELS.get(name, name if name.startswith("stock") else f"cons_tres_topo {name}")
        by_round = " ".join(f"{a['makespan_s'] / b['makespan_s']:.3f}" for a, b in zip(runs[name], runs[best]))
        print(f"{label:<28} {r['span_ratio']:>6.2f} {r['single_domain_pct']:>9.1f} {r['makespan_s']:>10.1f} "
              f"{r['wait_s']:>6.1f} {r['utilisation']:>5.2f} {r['sched_us_per_job']:>12.0f} "
              f"{r['makespan_s'] / base['makespan_s']:>10.3f} "
              f"{r['sched_us_per_job'] / max(base['sched_us_per_job'], 1):>8.2f}  {by_round}")
    if "block" in names:
        print(f"(block: jobs over {max(DOMAIN_SIZES)} nodes can never fit one domain and run under leaf)")
    prefer = results.get("prefer")
    if prefer:
        print(f"span_ratio={prefer['span_ratio']:.3f}")
        print(f"single_domain_pct={prefer['single_domain_pct']:.1f}")
        print(f"makespan_ratio={prefer['makespan_s'] / base['makespan_s']:.3f}")
        print(f"sched_time_ratio={prefer['sched_us_per_job'] / max(base['sched_us_per_job'], 1):.2f}")
    block = results.get("stock+block")
    if block:
        print(f"block_span_ratio={block['span_ratio']:.3f}")
        print(f"block_makespan_ratio={block['makespan_s'] / results['stock']['makespan_s']:.3f}")


def mean_of(name: str, runs: list[dict]) -> dict:
    """Each figure's mean over the runs of one configuration."""
    keys = [k for k in runs[0] if k != "name"]
    return {"name": name, **{k: sum(r[k] for r in runs) / len(runs) for k in keys}}


def key_default(key: str) -> int:
    """An integer key's default, from the one table of kubeslurm.conf keys."""
    text = (ROOT / "src" / "common" / "config_keys.def").read_text()
    m = re.search(rf'KS_KEY\({key},\s*Int,\s*"(\d+)"', text)
    return int(m.group(1)) if m else 0


if __name__ == "__main__":
    sys.exit(main())
