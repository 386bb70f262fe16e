"""The local cluster harness runs real jobs on a real slurmctld + slurmd + munged."""
import contextlib
import pathlib
import re
import time

from slurmcluster import tagged_pids


def test_four_node_cluster_runs_sbatch_and_srun(cluster_factory):
    c = cluster_factory(nodes=4)
    job = c.sbatch(["-N4", "--exclusive"], "#!/bin/sh\nsrun -l hostname | sort\necho nodes=$SLURM_JOB_NODELIST\n")
    info = c.wait_job(job)
    assert info["JobState"] == "COMPLETED", info
    assert info["ExitCode"] == "0:0"
    out = c.output(job)
    # srun -l prefixes each task's output with its rank; four tasks on four nodes.
    assert sorted(re.findall(r"^(\d+): \S+$", out, re.M)) == ["0", "1", "2", "3"], out
    assert "nodes=n[1-4]" in out

    r = c.run(["srun", "-N2", "-l", "sh", "-c", "echo $SLURMD_NODENAME; exit 0"], timeout=60)
    assert r.returncode == 0
    names = sorted(line.split(": ")[1] for line in r.stdout.splitlines())
    assert len(names) == 2 and all(re.fullmatch(r"n[1-4]", n) for n in names), r.stdout

    failing = c.run(["srun", "-N2", "sh", "-c", "exit 3"], check=False, timeout=60)
    assert failing.returncode == 3, failing.stderr


def test_teardown_leaves_no_daemon(cluster_factory):
    c = cluster_factory(nodes=2)
    assert len(tagged_pids(str(c.dir))) >= 4  # munged, slurmctld, 2 x slurmd
    job = c.sbatch(["-N1"], "#!/bin/sh\nsleep 300\n")
    c.wait_job(job, states=("RUNNING",))
    # The job's slurmstepd is found too (from 24.11 it has no readable environment).
    def stepds():
        found = []
        for p in tagged_pids(str(c.dir)):
            with contextlib.suppress(OSError):
                if pathlib.Path(f"/proc/{p}/comm").read_text().strip() == "slurmstepd":
                    found.append(p)
        return found

    deadline = time.monotonic() + 15   # RUNNING comes before the stepd has its files open
    while not (steps := stepds()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert steps, "the running job's slurmstepd is not seen as part of the cluster"
    c.stop(force=True)
    assert tagged_pids(str(c.dir)) == []
    assert all(not pathlib.Path(f"/proc/{p}").exists() or "Z" in pathlib.Path(f"/proc/{p}/stat").read_text().split()[2]
               for p in steps), "slurmstepd survived teardown"
