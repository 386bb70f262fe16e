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


class Run:
    """One job: its ID, submit and batch start times, per-node gate seconds and results."""

    def __init__(self, c: SlurmCluster, args: list[str]):
        self.submitted = time.time()
        self.job = c.sbatch([f"-N{NODES}", *args], SCRIPT)
        info = c.wait_job(self.job, timeout=180)
        out = c.output(self.job)
        if info.get("JobState") != "COMPLETED" or info.get("Restarts") != "0":
            gate_log = "\n".join(line for n in c.node_names for line in c.log(f"slurmd-{n}").splitlines()
                                 if f"job {self.job} " in line and "kubeslurm" in line)
            raise RuntimeError(f"job {self.job} did not run cleanly: {info.get('JobState')} "
                               f"restarts={info.get('Restarts')}\n{out}\n{gate_log}")
        self.started = float(re.search(r"^batch_start=([\d.]+)$", out, re.M).group(1))
        nodes = re.findall(r"^\S+ seconds=([\d.]+) result=(\S+)$", out, re.M)
        if len(nodes) != NODES:
            raise RuntimeError(f"job {self.job}: expected {NODES} task lines:\n{out}")
        self.gate_s = max(float(s) for s, _ in nodes)
        self.results = {r for _, r in nodes}
        self.allocated = None

    @property
    def submit_to_start(self) -> float:
        return self.started - self.submitted

    @property
    def alloc_to_start(self) -> float:
        return self.started - self.allocated


def note_allocations(c: SlurmCluster, runs: list[Run]):
    """Allocation time of each job from slurmctld's log (ms resolution, same clock): the time
    from allocation to the batch script is where the prologs run, without the scheduler's
    queueing noise of submit-to-start."""
    stamps = {}
    for m in re.finditer(r"^\[(\S+)\] (?:sched: Allocate|sched/backfill: _start_job: Started) JobId=(\d+)", c.log("slurmctld"), re.M):
        day, frac = m.group(1)[:19], m.group(1)[19:]
        stamps.setdefault(int(m.group(2)), time.mktime(time.strptime(day, "%Y-%m-%dT%H:%M:%S")) + float("0" + frac))
    for r in runs:
        r.allocated = stamps[r.job]


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
        Run(bare, [])  # warm-up
        bare_runs = [Run(bare, []) for _ in range(JOBS)]
        note_allocations(bare, bare_runs)
        progress("jobs without the plugin done")
    with cluster([f"required {plugin} conf={conf}"]) as gated:
        progress("cluster with the gate is up")
        Run(gated, ["--gpu-check=quick"])  # warm-up
        quick = [Run(gated, ["--gpu-check=quick"]) for _ in range(JOBS)]
        progress("quick jobs done")
        nccl = [Run(gated, ["--gpu-check=nccl"]) for _ in range(NCCL_JOBS)]
        progress("nccl jobs done")
        note_allocations(gated, quick + nccl)

    for name, runs in (("quick", quick), ("nccl", nccl)):
        results = set().union(*(r.results for r in runs))
        if results != {"pass"}:
            print(f"bench-gate: {name} gate results {sorted(results)}, expected pass only", file=sys.stderr)
            return 1

    med = statistics.median
    rows = [("no plugin", bare_runs, None), ("gate --gpu-check=quick", quick, med(r.gate_s for r in quick)),
            ("gate --gpu-check=nccl", nccl, med(r.gate_s for r in nccl))]
    print(f"# {NODES} virtual nodes on one host ({os.cpu_count()} CPUs), each job on all {NODES} nodes, "
          f"medians of {JOBS} jobs ({NCCL_JOBS} for nccl); seconds")
    print(f"{'configuration':<26} {'submit->start':>14} {'alloc->start':>13} {'gate (slowest node)':>20}")
    for name, runs, gate in rows:
        gate_txt = "-" if gate is None else f"{gate:.3f}"
        print(f"{name:<26} {med(r.submit_to_start for r in runs):>14.3f} "
              f"{med(r.alloc_to_start for r in runs):>13.3f} {gate_txt:>20}")
    bare_alloc = med(r.alloc_to_start for r in bare_runs)
    quick_alloc = med(r.alloc_to_start for r in quick)
    print(f"quick_ratio={quick_alloc / bare_alloc:.2f}  (alloc->start, gate quick / no plugin)")
    print(f"nccl16_start_overhead_s={med(r.alloc_to_start for r in nccl) - bare_alloc:.3f}")
    print(f"quick_overhead_s={quick_alloc - bare_alloc:.3f}")
    print(f"nccl16_s={rows[2][2]:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
