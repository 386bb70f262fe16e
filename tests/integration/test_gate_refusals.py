"""Issue 30 on a real local Slurm cluster: a kubeslurm.conf the nodes cannot use never drains a
node (item 1), and the prolog refuses, rather than runs as root, a checker that others can write
(item 2). Same setup as test_spank_gate.py: the plugin is `required`, PrologFlags=Alloc,DeferBatch.
"""
import os
import shutil
import subprocess

import pytest

from test_spank_gate import REPORT_SCRIPT, THRESHOLDS_DIR, checker, gate_cluster, plugin, task_env  # noqa: F401


def test_unknown_key_appended_while_jobs_are_queued_drains_no_node(cluster_factory, tmp_path, plugin, checker):
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(checker)}, nodes=2)
    jobs = [c.sbatch(["-N1", "--hold"], REPORT_SCRIPT) for _ in range(2)]
    with c.ks_conf.open("a") as f:
        f.write("GpuChek=nccl\n")  # the careless admin's typo
    for job in jobs:
        c.run(["scontrol", "release", str(job)])

    line = len(c.ks_conf.read_text().splitlines())
    why = f"{c.ks_conf}:{line}: 'GpuChek': unknown key"
    for job in jobs:
        info = c.wait_job(job, timeout=60)
        out = c.output(job)
        assert info["JobState"] == "COMPLETED" and info["Restarts"] == "0", (info, out)
        # The job's output says why it was not checked, and so do its tasks' variables.
        assert f"kubeslurm: this job's nodes were not checked: kubeslurm.conf is unusable: {why}" in out, out
        env = task_env(out)
        assert len(env) == 1, out
        (node_env,) = env.values()
        assert node_env["KUBESLURM_GPU_CHECK_RESULT"] == "error", node_env
    for name, node in c.nodes_info().items():
        assert "DRAIN" not in node["State"], (name, node)
    logs = c.log("slurmd-n1") + c.log("slurmd-n2")
    assert "kubeslurm.conf is unusable, the job runs without the health check" in logs
    assert why in logs

    # A new submission fails loudly, naming file, line and key.
    r = c.run(["sbatch", "--wrap", "true"], check=False)
    assert r.returncode != 0
    assert why in r.stderr, r.stderr


def test_world_writable_checker_is_refused_not_run_as_root(cluster_factory, tmp_path, plugin):
    ran = tmp_path / "checker-ran"
    bad = tmp_path / "checker"
    bad.write_text(f"#!/bin/sh\ntouch {ran}\nexit 0\n")
    bad.chmod(0o777)
    c = gate_cluster(cluster_factory, tmp_path, plugin, {"CheckerPath": str(bad)}, nodes=1)
    job = c.sbatch([], REPORT_SCRIPT)
    info = c.wait_job(job)
    out = c.output(job)
    assert info["JobState"] == "COMPLETED" and info["Restarts"] == "0", (info, out)
    assert not ran.exists(), "the world-writable checker was executed"
    env = task_env(out)["n1"]
    assert env["KUBESLURM_GPU_CHECK_RESULT"] == "error", env
    reason = f"CheckerPath: {bad} is writable by everyone (mode 0777); it must be writable by root only"
    assert reason in env["KUBESLURM_GPU_CHECK_SUMMARY"], env
    log = c.log("slurmd-n1")
    assert f"refused to run: {reason}" in log and "OnCheckerError=run: the job runs" in log, log
    assert "DRAIN" not in c.nodes_info()["n1"]["State"]

    # With OnCheckerError=drain the admin's rule holds: the node drains with the reason.
    bad.chmod(0o775)  # group-writable is refused too
    with c.ks_conf.open("a") as f:
        f.write("OnCheckerError=drain\n")
    job = c.sbatch([], "#!/bin/sh\ntrue\n")
    c._wait(lambda: "DRAIN" in c.nodes_info()["n1"].get("State", ""), 30, "n1 to be drained")
    assert c.nodes_info()["n1"]["Reason"].startswith("kubeslurm: gpucheck: error: refused to run: CheckerPath:")
    assert not ran.exists()


def test_checker_as_root_refuses_thresholds_and_backend_others_can_write(checker, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the ownership rules apply when the checker runs as root")
    thresholds = tmp_path / "thresholds.d"
    shutil.copytree(THRESHOLDS_DIR, thresholds)
    backend = tmp_path / "libgpu.so"
    backend.write_bytes(b"\x7fELF")
    conf = tmp_path / "kubeslurm.conf"
    env = {"PATH": "/usr/bin:/bin", "SLURMD_NODENAME": "n1", "SLURM_JOB_ID": "1", "SLURM_JOB_NODELIST": "n1"}

    def run(**keys):
        conf.write_text("".join(f"{k}={v}\n" for k, v in keys.items()))
        return subprocess.run([checker, "--config", str(conf), "--level", "quick", "--check", "host.memory"],
                              capture_output=True, text=True, timeout=30, env=env)

    thresholds.chmod(0o777)
    r = run(ThresholdsDir=thresholds, GpuBackend="/nonexistent/libgpu.so")
    assert r.returncode == 64, r
    assert f"refused: ThresholdsDir: {thresholds} is writable by everyone (mode 0777)" in r.stderr, r.stderr
    thresholds.chmod(0o755)
    backend.chmod(0o666)
    r = run(ThresholdsDir=thresholds, GpuBackend=backend)
    assert r.returncode == 64, r
    assert f"refused: GpuBackend: {backend} is writable by everyone (mode 0666)" in r.stderr, r.stderr
    r = run(ThresholdsDir=thresholds, GpuBackend="/nonexistent/libgpu.so")
    assert r.returncode != 64, r  # root's own files in root's own directories are used
