"""tests/bench/placement/span_cost_job.py, the job of run_bench.py --span-cost: its run time
grows with the NVLink domains it spans beyond its fewest, read from SLURM_JOB_NODELIST."""
import json
import os
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from span_cost_job import stretched_seconds  # noqa: E402


def test_each_domain_beyond_the_fewest_adds_the_cost():
    assert stretched_seconds(10.0, 1, 0.25, 1) == 10.0
    assert stretched_seconds(10.0, 1, 0.25, 3) == 15.0
    assert stretched_seconds(10.0, 2, 0.5, 3) == 15.0
    assert stretched_seconds(10.0, 2, 0.5, 1) == 10.0  # never shorter than its run time


def run_job(tmp_path, nodelist):
    domains = tmp_path / "domains.json"
    domains.write_text(json.dumps({"n1": "nvl1", "n2": "nvl1", "n3": "nvl2", "n4": "nvl3"}))
    env = {k: v for k, v in os.environ.items() if k != "SLURM_JOB_NODELIST"}
    if nodelist is not None:
        env["SLURM_JOB_NODELIST"] = nodelist
    return subprocess.run([sys.executable, str(HERE / "span_cost_job.py"), "0.01", "1", "1.5",
                           str(domains)], env=env, capture_output=True, text=True, timeout=30)


def test_the_job_reads_its_nodes_and_reports_its_run_time(tmp_path):
    r = run_job(tmp_path, "n[1-2,4],n3")  # three domains, fewest one: 0.01 x (1 + 1.5 x 2)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "4 nodes in 3 domain(s), fewest 1: 0.04 s"


def test_outside_a_slurm_job_it_refuses(tmp_path):
    r = run_job(tmp_path, None)
    assert r.returncode == 2
    assert "SLURM_JOB_NODELIST is empty" in r.stderr
