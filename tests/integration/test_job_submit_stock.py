"""job_submit/kubeslurm on a real slurmctld with stock select/cons_tres + topology/block fed by
kubeslurm-topo's own block output (Slurm 25.05 and later, where blocks may differ in size and a
segment may be larger than the base block): --topology=block becomes a segment of the job's
size, so the whole job lands in one block or waits for one; --topology=leaf becomes
--switches=1; a node range under block is refused at submission with kubeslurm's reason."""
import os
import pathlib
import re
import subprocess
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench" / "placement"))

from slurmcluster import SlurmCluster  # noqa: E402
from topo_cluster import Layout, build_test_spank, write_atomic  # noqa: E402

# Three NVLink domains of 4 nodes.
LAYOUT = Layout({f"d{d}": ("leaf1", [f"n{4 * d + i}" for i in range(1, 5)]) for d in range(3)})
SLEEP = "#!/bin/sh\nsleep 600\n"


def slurm_line() -> tuple[int, int]:
    m = re.match(r"(\d+)\.(\d+)", os.environ.get("KUBESLURM_SLURM_VERSION", ""))
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


@pytest.fixture(scope="module")
def stock(build_dir, tmp_path_factory):
    if slurm_line() < (25, 5):
        reason = ("job_submit/kubeslurm needs segments of any size in topology/block: Slurm >= 25.05; "
                  f"Slurm under test is {os.environ.get('KUBESLURM_SLURM_VERSION') or 'unknown'}")
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    plugin = build_dir / "plugins" / "job_submit_kubeslurm.so"
    if not plugin.exists():
        pytest.fail(f"{plugin} is not built (make plugins)")
    work = tmp_path_factory.mktemp("jobsubmit")
    source = work / "topology.json"
    write_atomic(source, LAYOUT.to_json())
    (work / "kubeslurm.conf").write_text("")  # hermetic: every policy default
    r = subprocess.run([str(build_dir / "bin" / "kubeslurm-topo"), "import", str(source),
                        "--config", str(work / "kubeslurm.conf"), "--output", str(work / "copy.json"),
                        "--conf", str(work / "topology.conf"), "--format", "block",
                        "--slurm-version", "%d.%02d" % slurm_line()],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    c = SlurmCluster(nodes=12, cpus=1, memory_mb=500, select_type="select/cons_tres",
                     topology_plugin="topology/block", topology_conf=(work / "topology.conf").read_text(),
                     plugin_dirs=[str(build_dir / "plugins")],
                     plugstack=[f"required {build_test_spank(work)}"],
                     extra_conf=["JobSubmitPlugins=kubeslurm",
                                 "SchedulerParameters=sched_interval=2,bf_interval=2"],
                     env={"KUBESLURM_CONF": str(work / "kubeslurm.conf")})
    c.start()
    try:
        yield c
    finally:
        c.stop(force=True)


@pytest.fixture
def jobs(stock):
    made = []
    yield made
    if made:
        stock.run(["scancel", *map(str, made)], check=False)
        stock.wait_nodes_idle(timeout=90)


def run_on(c, jobs, nodes: str) -> int:
    job = c.sbatch([f"-N{len(c.run(['scontrol', 'show', 'hostnames', nodes]).stdout.split())}",
                    "--exclusive", "-w", nodes], SLEEP)
    jobs.append(job)
    c.wait_job(job, timeout=60, states=("RUNNING",))
    return job


def blocks_of(c, job) -> set[str]:
    hosts = c.run(["scontrol", "show", "hostnames", c.job(job)["NodeList"]]).stdout.split()
    domain = LAYOUT.node_domain()
    return {domain[h] for h in hosts}


def test_block_asks_for_one_segment_and_waits_for_one_block(stock, jobs):
    busy = run_on(stock, jobs, "n[1-2]")
    run_on(stock, jobs, "n[5-6]")
    run_on(stock, jobs, "n[9-10]")              # every block has 2 free nodes, 6 in all
    block_job = stock.sbatch(["-N3", "--exclusive", "--ks-test-topology=block"], SLEEP)
    jobs.append(block_job)
    assert stock.job(block_job).get("SegmentSize") == "3", stock.job(block_job)
    time.sleep(8)                               # several scheduling cycles (2 s)
    assert stock.job(block_job)["JobState"] == "PENDING", stock.job(block_job)
    # A whole block frees: the job starts there, in one block.
    stock.run(["scancel", str(busy)])
    stock.wait_job(block_job, timeout=60, states=("RUNNING",))
    assert blocks_of(stock, block_job) == {"d0"}
    plain = stock.sbatch(["-N3", "--exclusive"], SLEEP)
    jobs.append(plain)
    assert "SegmentSize" not in stock.job(plain)


def test_leaf_asks_for_one_switch(stock, jobs):
    job = stock.sbatch(["-N2", "--exclusive", "--ks-test-topology=leaf"], SLEEP)
    jobs.append(job)
    assert stock.job(job).get("Switches", "").startswith("1@"), stock.job(job)
    plain = stock.sbatch(["-N2", "--exclusive"], SLEEP)
    jobs.append(plain)
    assert "Switches" not in stock.job(plain)


def test_block_with_a_node_range_is_refused_with_the_reason(stock):
    r = stock.run(["sbatch", "-N2-3", "--ks-test-topology=block", "--wrap", "sleep 1"], check=False)
    assert r.returncode != 0
    assert "kubeslurm: --topology=block places the whole job in one NVLink domain" in r.stderr, r.stderr
