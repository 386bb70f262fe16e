#!/usr/bin/python3
"""make bench-gate: what the health gate costs at job start, on a real local Slurm cluster.

Two clusters of 16 virtual nodes on this host, otherwise identical: one without the plugin, one
with spank_kubeslurm `required` and the real kubeslurm-gpucheck. The same 16-node batch job is
submitted one at a time; its start latency is the time from just before `sbatch` to the first
line of the batch script (`date +%s.%N` on the same host, so one clock). Then `nccl` jobs across
all 16 nodes: the prolog's own time per node (KUBESLURM_GPU_CHECK_SECONDS) covers the munge-signed
rendezvous plus the TCP ring all-reduce host check.

Prints a table, then `quick_overhead_s=` and `nccl16_s=` as its last two lines.
Environment: KUBESLURM_BUILD (build dir), BENCH_JOBS (default 20), BENCH_NCCL_JOBS (default 5).
"""
import os
import pathlib
import random
import re
import statistics
import sys
import tempfile
import time

SOURCE = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(SOURCE / "tests" / "integration"))

from slurmcluster import SlurmCluster  # noqa: E402

NODES = 16
BUILD = pathlib.Path(os.environ.get("KUBESLURM_BUILD", SOURCE / "build" / "release"))
JOBS = int(os.environ.get("BENCH_JOBS", "20"))
NCCL_JOBS = int(os.environ.get("BENCH_NCCL_JOBS", "5"))

SCRIPT = """#!/bin/sh
echo batch_start=$(date +%s.%N)
srun --ntasks-per-node=1 sh -c 'echo "$SLURMD_NODENAME seconds=${KUBESLURM_GPU_CHECK_SECONDS:-0} result=${KUBESLURM_GPU_CHECK_RESULT:-none}"'
"""


def cluster(plugstack: list[str]) -> SlurmCluster:
    return SlurmCluster(nodes=NODES, cpus=1, plugstack=plugstack, prolog_flags="Alloc,DeferBatch",
                        prolog_timeout=120, extra_conf=["SchedulerParameters=nohold_on_prolog_fail"])


def run_job(c: SlurmCluster, args: list[str]) -> tuple[float, list[float], set[str]]:
    """Start latency (s), per-node gate seconds and the set of gate results of one job."""
    t0 = time.time()
    job = c.sbatch([f"-N{NODES}", *args], SCRIPT)
    info = c.wait_job(job, timeout=180)
    out = c.output(job)
    if info.get("JobState") != "COMPLETED" or info.get("Restarts") != "0":
        gate_log = "\n".join(line for n in c.node_names for line in c.log(f"slurmd-{n}").splitlines()
                             if f"job {job} " in line and "kubeslurm" in line)
        raise RuntimeError(f"job {job} did not run cleanly: {info.get('JobState')} "
                           f"restarts={info.get('Restarts')}\n{out}\n{gate_log}")
    start = float(re.search(r"^batch_start=([\d.]+)$", out, re.M).group(1))
    nodes = re.findall(r"^\S+ seconds=([\d.]+) result=(\S+)$", out, re.M)
    if len(nodes) != NODES:
        raise RuntimeError(f"job {job}: expected {NODES} task lines:\n{out}")
    return start - t0, [float(s) for s, _ in nodes], {r for _, r in nodes}


def main() -> int:
    plugin = BUILD / "plugins" / "spank_kubeslurm.so"
    checker = BUILD / "bin" / "kubeslurm-gpucheck"
    for path in (plugin, checker):
        if not path.exists():
            print(f"bench-gate: {path} is not built", file=sys.stderr)
            return 1
    work = pathlib.Path(tempfile.mkdtemp(prefix="ks-bench-gate-"))
    conf = work / "kubeslurm.conf"
    # Job IDs restart at 1 in every test cluster: a rendezvous port range of our own keeps this
    # run's checkers from meeting those of another cluster running on the same host.
    ports = random.randrange(20000, 60000 - 1000)
    conf.write_text(f"CheckerPath={checker}\nCheckTimeout=60\nGateStateDir={work}/state\n"
                    f"RendezvousPorts={ports}-{ports + 999}\n"
                    f"ThresholdsDir={SOURCE}/src/health/thresholds.d\nSiteThresholdsFile={work}/site.conf\n")
    # 16 checkers share this host's few cores: a loose memory bandwidth floor keeps a busy host
    # from failing the check; the time measured is the same.
    (work / "site.conf").write_text("[default]\nhost.membw.min_gbps = 0.01\n")

    t = time.time()
    progress = lambda what: print(f"bench-gate: {what} ({time.time() - t:.0f} s)", file=sys.stderr, flush=True)
    with cluster([]) as bare:
        progress("cluster without the plugin is up")
        run_job(bare, [])  # warm-up
        bare_lat = [run_job(bare, [])[0] for _ in range(JOBS)]

        progress("jobs without the plugin done")
    with cluster([f"required {plugin} conf={conf}"]) as gated:
        progress("cluster with the gate is up")
        run_job(gated, ["--gpu-check=quick"])  # warm-up
        quick = [run_job(gated, ["--gpu-check=quick"]) for _ in range(JOBS)]
        progress("quick jobs done")
        nccl = [run_job(gated, ["--gpu-check=nccl"]) for _ in range(NCCL_JOBS)]
        progress("nccl jobs done")

    for name, runs in (("quick", quick), ("nccl", nccl)):
        results = set().union(*(r for _, _, r in runs))
        if results != {"pass"}:
            print(f"bench-gate: {name} gate results {sorted(results)}, expected pass only", file=sys.stderr)
            return 1

    bare_med = statistics.median(bare_lat)
    quick_med = statistics.median(lat for lat, _, _ in quick)
    quick_gate = statistics.median(max(secs) for _, secs, _ in quick)
    nccl_med = statistics.median(lat for lat, _, _ in nccl)
    nccl_gate = statistics.median(max(secs) for _, secs, _ in nccl)

    print(f"# {NODES} virtual nodes on one host ({os.cpu_count()} CPUs), {JOBS} jobs per row "
          f"({NCCL_JOBS} for nccl), each job on all {NODES} nodes; medians")
    print(f"{'configuration':<28} {'start latency s':>16} {'gate s (slowest node)':>22}")
    print(f"{'no plugin':<28} {bare_med:>16.3f} {'-':>22}")
    print(f"{'gate --gpu-check=quick':<28} {quick_med:>16.3f} {quick_gate:>22.3f}")
    print(f"{'gate --gpu-check=nccl':<28} {nccl_med:>16.3f} {nccl_gate:>22.3f}")
    print(f"quick_ratio={quick_med / bare_med:.2f}")
    print(f"nccl16_start_overhead_s={nccl_med - bare_med:.3f}")
    print(f"quick_overhead_s={quick_med - bare_med:.3f}")
    print(f"nccl16_s={nccl_gate:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
