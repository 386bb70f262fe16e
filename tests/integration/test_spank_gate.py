"""spank_kubeslurm on a real local Slurm cluster: user options at submit, the health gate in the
prolog (real kubeslurm-gpucheck), drain with a precise reason, requeue, deadline, KUBESLURM_*.

The plugin is `required` in plugstack.conf, PrologFlags=Alloc,DeferBatch and
SchedulerParameters=nohold_on_prolog_fail, as docs/spank.md recommends.
"""
import json
import pathlib
import random
import re
import time

import pytest

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
THRESHOLDS_DIR = SOURCE_DIR / "src" / "health" / "thresholds.d"
CRED_EXPIRE = 10  # a requeued job becomes eligible again after this + 1 s


@pytest.fixture
def plugin(build_dir) -> pathlib.Path:
    path = build_dir / "plugins" / "spank_kubeslurm.so"
    assert path.exists(), f"{path} is not built (make plugins)"
    return path


@pytest.fixture
def checker(build_dir) -> pathlib.Path:
    path = build_dir / "bin" / "kubeslurm-gpucheck"
    if not path.exists():
        pytest.skip(f"{path} is not built: the gate tests run the real checker")
    return path


def gate_cluster(cluster_factory, tmp_path, plugin, conf: dict[str, str], nodes: int = 4, **kw):
    """A cluster whose plugstack loads the plugin with kubeslurm.conf written from `conf`."""
    state = tmp_path / "state"
    # Job IDs restart at 1 in every test cluster: a rendezvous port range of our own keeps this
    # test's checkers from meeting those of another cluster running on the same host.
    ports = random.randrange(20000, 60000 - 1000)
    settings = {"GateStateDir": str(state), "ThresholdsDir": str(THRESHOLDS_DIR),
                "RendezvousPorts": f"{ports}-{ports + 999}",
                "SiteThresholdsFile": str(tmp_path / "site-thresholds.conf"), **conf}
    # Several checkers share this host's few cores: a loose memory bandwidth floor keeps a busy
    # host from failing; tests append their own [node] sections.
    site = tmp_path / "site-thresholds.conf"
    site.write_text("[default]\nhost.membw.min_gbps = 0.01\n" + (site.read_text() if site.exists() else ""))
    conf_file = tmp_path / "kubeslurm.conf"
    conf_file.write_text("".join(f"{k}={v}\n" for k, v in settings.items()))
    c = cluster_factory(nodes=nodes, plugstack=[f"required {plugin} conf={conf_file}"],
                        prolog_flags="Alloc,DeferBatch", prolog_timeout=60, cred_expire=CRED_EXPIRE,
                        extra_conf=["SchedulerParameters=nohold_on_prolog_fail"] + kw.pop("extra_conf", []),
                        **kw)
    c.ks_conf = conf_file
    return c


def write_conf(path: pathlib.Path, **updates: str):
    lines = [line for line in path.read_text().splitlines()
             if line.split("=", 1)[0] not in updates]
    path.write_text("\n".join(lines + [f"{k}={v}" for k, v in updates.items()]) + "\n")


# Each task prints its node and the KUBESLURM_* variables the plugin exported to it.
REPORT_SCRIPT = """#!/bin/sh
echo batch_start=$(date +%s.%N)
srun --ntasks-per-node=1 sh -c 'env | grep ^KUBESLURM_ | grep -v ^KUBESLURM_TEST | sed "s/^/$SLURMD_NODENAME /"'
"""


def task_env(output: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for m in re.finditer(r"^(\S+) (KUBESLURM_\w+)=(.*)$", output, re.M):
        out.setdefault(m.group(1), {})[m.group(2)] = m.group(3)
    return out


def batch_start(output: str) -> float:
    m = re.search(r"^batch_start=([\d.]+)$", output, re.M)
    assert m, output
    return float(m.group(1))


def slurmd_log_time(line: str) -> float:
    stamp = re.match(r"\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\]", line)
    assert stamp, line
    return time.mktime(time.strptime(stamp.group(1)[:19], "%Y-%m-%dT%H:%M:%S")) + float("0" + stamp.group(1)[19:])


def test_help_lists_options_and_bad_values_fail_the_submission(cluster_factory, tmp_path, plugin, checker):
    dump = tmp_path / "ctld-env"
    ctld_prolog = tmp_path / "prolog-slurmctld.sh"
    ctld_prolog.write_text(f"#!/bin/sh\nenv > {dump}.$SLURM_JOB_ID\n")
    ctld_prolog.chmod(0o755)
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker)}, nodes=1,
                     extra_conf=[f"PrologSlurmctld={ctld_prolog}"])

    for cmd in ("sbatch", "srun", "salloc"):
        help_text = c.run([cmd, "--help"]).stdout
        assert "--topology=any|prefer|block|leaf" in help_text, (cmd, help_text)
        assert "--gpu-check=off|quick|nccl|full" in help_text, (cmd, help_text)

    bad = c.run(["sbatch", "--gpu-check=thorough", "--wrap", "true"], check=False)
    assert bad.returncode != 0
    assert "kubeslurm: submit: --gpu-check=thorough: expected one of off|quick|nccl|full" in bad.stderr
    bad = c.run(["sbatch", "--topology=ring", "--wrap", "true"], check=False)
    assert bad.returncode != 0
    assert "kubeslurm: submit: --topology=ring: expected one of any|prefer|block|leaf" in bad.stderr
    bad = c.run(["srun", "--gpu-check=", "true"], check=False)
    assert bad.returncode != 0 and "--gpu-check=: expected one of" in bad.stderr
    assert c.run(["squeue", "-h"]).stdout.strip() == "", "a rejected submission must not create a job"

    # Valid values reach slurmctld as job control variables under their exact names (the
    # select plugin reads SPANK_KUBESLURM_TOPOLOGY from job_ptr->spank_job_env).
    job = c.sbatch(["--topology=block", "--gpu-check=full"], "#!/bin/sh\ntrue\n")
    assert c.wait_job(job)["JobState"] == "COMPLETED"
    env = pathlib.Path(f"{dump}.{job}").read_text()
    assert "SPANK_KUBESLURM_TOPOLOGY=block\n" in env
    assert "SPANK_KUBESLURM_GPU_CHECK=full\n" in env


def test_nccl_four_nodes_checked_before_the_batch_script_and_job_sees_results(cluster_factory, tmp_path,
                                                                              plugin, checker):
    topo = tmp_path / "topology.json"
    topo.write_text(json.dumps({"version": 1, "nodes": [
        {"name": "n1", "domain": "rackA", "tiers": ["leaf1"]}, {"name": "n2", "domain": "rackA", "tiers": ["leaf1"]},
        {"name": "n3", "domain": "rackB", "tiers": ["leaf1"]}, {"name": "n4", "domain": "rackB", "tiers": ["leaf2"]}]}))
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker), "CheckTimeout": "30",
                                                          "TopologyFile": str(topo)})
    job = c.sbatch(["-N4", "--gpu-check=nccl"], REPORT_SCRIPT)
    info = c.wait_job(job, timeout=90)
    out = c.output(job)
    assert info["JobState"] == "COMPLETED", (info, out)
    assert info["Restarts"] == "0", info

    envs = task_env(out)
    assert sorted(envs) == ["n1", "n2", "n3", "n4"], out
    start = batch_start(out)
    for node, env in envs.items():
        assert env["KUBESLURM_GPU_CHECK"] == "nccl", (node, env)
        assert env["KUBESLURM_GPU_CHECK_RESULT"] == "pass", (node, env)
        # The multi-node host check (TCP ring all-reduce across the 4 nodes) passed here.
        checks = dict(item.split("=") for item in env["KUBESLURM_GPU_CHECKS"].split(","))
        assert checks.get("hostnet.bandwidth") == "pass", (node, checks)
        assert checks.get("hostnet.latency") == "pass", (node, checks)
        # ... and finished before the batch script started (PrologFlags=DeferBatch).
        assert float(env["KUBESLURM_GPU_CHECK_FINISHED"]) < start, (node, env, start)
        # Where the job sits in the topology.
        assert env["KUBESLURM_DOMAINS"] == "rackA,rackB" and env["KUBESLURM_DOMAIN_COUNT"] == "2", env
        assert env["KUBESLURM_LEAVES"] == "leaf1,leaf2" and env["KUBESLURM_LEAF_COUNT"] == "2", env
        assert env["KUBESLURM_NODE_DOMAIN"] == ("rackA" if node in ("n1", "n2") else "rackB"), (node, env)
    for node in c.node_names:
        assert f"kubeslurm: prolog: job {job} on {node}: level nccl: pass" in c.log(f"slurmd-{node}")


def test_fault_on_one_node_drains_exactly_it_and_the_job_finishes_on_the_others(cluster_factory, tmp_path,
                                                                                plugin, checker):
    # A site override that only n3 cannot meet: a real failure of a real check on one node.
    (tmp_path / "site-thresholds.conf").write_text('[node "n3"]\nhost.membw.min_gbps = 100000\n')
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker)}, nodes=5)
    job = c.sbatch(["-N4", "--gpu-check=quick"], REPORT_SCRIPT)
    info = c.wait_job(job, timeout=120)
    out = c.output(job)
    assert info["JobState"] == "COMPLETED", (info, out)
    assert info["Restarts"] == "1", info
    assert f"kubeslurm: prolog: job {job} on n3: level quick: fail" in c.log("slurmd-n3"), \
        "the first allocation must have included n3"

    nodes = c.nodes_info()
    assert "DRAIN" in nodes["n3"]["State"], nodes["n3"]
    assert re.match(r"kubeslurm: host\.membw: [\d.]+ < 100000 GB/s \[", nodes["n3"]["Reason"]), nodes["n3"]
    for name in ("n1", "n2", "n4", "n5"):
        assert "DRAIN" not in nodes[name]["State"], nodes[name]
    assert sorted(task_env(out)) == ["n1", "n2", "n4", "n5"], out


def test_hanging_checker_is_killed_at_the_deadline_and_the_node_drained(cluster_factory, tmp_path, plugin):
    # Fault injection through the admin's CheckerPath: a "checker" that ignores SIGTERM and hangs.
    marks = tmp_path / "hang"
    hang = tmp_path / "hanging-checker"
    hang.write_text(f"#!/bin/sh\ntrap '' TERM\necho $$ $(date +%s.%N) > {marks}.$SLURMD_NODENAME\n"
                    "sleep 300 &\nwait\nwait\n")
    hang.chmod(0o755)
    deadline = 3
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(hang), "CheckTimeout": str(deadline)},
                     nodes=1)
    job = c.sbatch(["-N1"], "#!/bin/sh\ntrue\n")

    def prolog_done():
        return "spank/prolog returned status" in c.log("slurmd-n1")
    c._wait(prolog_done, 30, "the prolog to fail")
    log_line = next(line for line in c.log("slurmd-n1").splitlines() if "spank/prolog returned status" in line)
    pid, started = pathlib.Path(f"{marks}.n1").read_text().split()
    elapsed = slurmd_log_time(log_line) - float(started)
    assert deadline - 0.5 <= elapsed <= deadline + 2, elapsed
    assert not pathlib.Path(f"/proc/{pid}").exists() or \
        pathlib.Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] == "Z"

    def drained():
        return "DRAIN" in c.nodes_info()["n1"].get("State", "")
    c._wait(drained, 10, "n1 to be drained")
    assert c.nodes_info()["n1"]["Reason"].startswith(f"kubeslurm: gpucheck: timeout after {deadline} s")
    assert c.job(job)["JobState"] == "PENDING", "the job is requeued, not failed"


def test_check_hanging_inside_the_real_checker_drains_with_its_name_and_the_job_moves(cluster_factory, tmp_path,
                                                                                      plugin, checker):
    # On n1 only, the memory bandwidth check gets far more work than its 1 s deadline allows:
    # the checker's watchdog abandons it and reports a timeout for that check.
    (tmp_path / "site-thresholds.conf").write_text(
        '[node "n1"]\nhost.membw.size_mb = 2048\nhost.membw.iterations = 1000\nhost.membw.deadline_s = 1\n')
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker), "CheckTimeout": "20"},
                     nodes=2)
    job = c.sbatch(["-N1", "--gpu-check=quick"], REPORT_SCRIPT)
    info = c.wait_job(job, timeout=90)
    assert info["JobState"] == "COMPLETED" and info["Restarts"] == "1", info
    assert sorted(task_env(c.output(job))) == ["n2"]
    nodes = c.nodes_info()
    assert nodes["n1"]["Reason"].startswith("kubeslurm: host.membw: timeout after 1 s"), nodes["n1"]
    assert "DRAIN" not in nodes["n2"]["State"], nodes["n2"]
    m = re.search(rf"job {job} on n1: level quick: timeout \(.*\) in ([\d.]+) s", c.log("slurmd-n1"))
    assert m and float(m.group(1)) < 20, c.log("slurmd-n1")


def test_off_refused_when_forbidden_and_allowed_when_permitted(cluster_factory, tmp_path, plugin, checker):
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker), "AllowCheckOff": "no"},
                     nodes=1)
    refused = c.run(["sbatch", "--gpu-check=off", "--wrap", "true"], check=False)
    assert refused.returncode != 0
    assert "--gpu-check=off is not allowed" in refused.stderr and "AllowCheckOff=no" in refused.stderr

    write_conf(c.ks_conf, AllowCheckOff="yes")
    job = c.sbatch(["--gpu-check=off"], REPORT_SCRIPT)
    info = c.wait_job(job)
    env = task_env(c.output(job))["n1"]
    assert info["JobState"] == "COMPLETED", info
    assert env["KUBESLURM_GPU_CHECK"] == "off" and env["KUBESLURM_GPU_CHECK_RESULT"] == "off", env
    assert f"job {job} on n1: check off" in c.log("slurmd-n1")

    # srun makes its own allocation (local context): same options, same gate, same variables.
    r = c.run(["srun", "--gpu-check=quick", "printenv", "KUBESLURM_GPU_CHECK", "KUBESLURM_GPU_CHECK_RESULT"])
    assert r.stdout.split() == ["quick", "pass"], r.stdout + r.stderr


def test_partition_default_and_no_lowering_are_enforced_at_submit_and_on_the_node(cluster_factory, tmp_path,
                                                                                 plugin, checker):
    c = gate_cluster(cluster_factory, tmp_path, plugin,
                     {"CheckerPath": str(checker), "PartitionGpuCheck": "gpu:nccl,debug:off",
                      "AllowLowerCheck": "no"}, nodes=2,
                     partitions=["PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
                                 "PartitionName=gpu Nodes=ALL MaxTime=INFINITE State=UP"])
    # The partition is known at submit from SBATCH_PARTITION: lowering is refused there.
    refused = c.run(["sbatch", "-N2", "--gpu-check=quick", "--wrap", "true"], check=False,
                    env={"SBATCH_PARTITION": "gpu"})
    assert refused.returncode != 0
    assert "--gpu-check=quick is below the level nccl required on partition gpu" in refused.stderr

    # `-p gpu` is invisible to plugins at submit: the prolog enforces the partition's level.
    job = c.sbatch(["-N2", "-p", "gpu", "--gpu-check=quick"], REPORT_SCRIPT)
    info = c.wait_job(job, timeout=90)
    envs = task_env(c.output(job))
    assert info["JobState"] == "COMPLETED", info
    assert {n: e["KUBESLURM_GPU_CHECK"] for n, e in envs.items()} == {"n1": "nccl", "n2": "nccl"}, envs
    assert "AllowLowerCheck=no" in c.log("slurmd-n1")

    # The default partition's default is off: no check, without the user asking.
    job = c.sbatch(["-N1"], REPORT_SCRIPT)
    assert c.wait_job(job)["JobState"] == "COMPLETED"
    assert task_env(c.output(job))["n1"]["KUBESLURM_GPU_CHECK_RESULT"] == "off"


def test_checker_that_cannot_run_lets_the_job_run_by_default(cluster_factory, tmp_path, plugin):
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(tmp_path / "no-such-checker")},
                     nodes=1)
    job = c.sbatch([], REPORT_SCRIPT)
    info = c.wait_job(job)
    env = task_env(c.output(job))["n1"]
    assert info["JobState"] == "COMPLETED" and info["Restarts"] == "0", info
    assert env["KUBESLURM_GPU_CHECK"] == "quick" and env["KUBESLURM_GPU_CHECK_RESULT"] == "error", env
    assert "DRAIN" not in c.nodes_info()["n1"]["State"]
    assert "OnCheckerError=run: the job runs" in c.log("slurmd-n1")
    # The job epilog removes what the prolog left for the job's tasks.
    state = tmp_path / "state"
    c._wait(lambda: not any(state.glob(f"*.n1.{job}.env")), 20, "the epilog to remove the gate state")
    assert state.is_dir()
