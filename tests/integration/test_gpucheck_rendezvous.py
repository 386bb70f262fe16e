"""kubeslurm-gpucheck on a real local Slurm cluster: the multi-node rendezvous (munge-signed,
through the cluster's own munged), the TCP ring host-network check, blame for missing nodes,
forged messages, per-node site thresholds and the watchdog."""
import json
import os
import pathlib
import socket
import struct
import subprocess
import time

import pytest

from slurmcluster import free_port_block

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def checker(build_dir):
    path = build_dir / "bin" / "kubeslurm-gpucheck"
    if not path.exists():
        pytest.skip(f"{path} not built")
    return str(path)


def configure(c, site: str = "", timeout: int = 20) -> tuple[pathlib.Path, int]:
    """kubeslurm.conf for the cluster: shipped thresholds from the source tree, a site file,
    a rendezvous port range of free ports (job ports derive from it)."""
    port = free_port_block(8)
    conf = c.dir / "etc" / "kubeslurm.conf"
    site_file = c.dir / "etc" / "thresholds.local.conf"
    site_file.write_text(site)
    conf.write_text(f"ThresholdsDir={SOURCE_DIR}/src/health/thresholds.d\n"
                    f"SiteThresholdsFile={site_file}\n"
                    f"RendezvousPorts={port}-{port + 7}\n"
                    f"RendezvousTimeout={timeout}\n"
                    "CheckTimeout=30\n")
    return conf, port


def prolog_env(c, node: str, job_id: int, nodelist: str) -> dict:
    """The environment slurmd gives a prolog (what spank_kubeslurm passes to the checker)."""
    env = c.client_env()
    env.update(SLURM_JOB_ID=str(job_id), SLURMD_NODENAME=node, SLURM_JOB_NODELIST=nodelist,
               KUBESLURM_GPU_BACKEND="/nonexistent/libkubeslurm-gpu.so")
    return env


def start(checker, c, conf, node, job_id, nodelist, level="nccl"):
    return subprocess.Popen([checker, "--prolog", "--level", level, "--config", str(conf)],
                            env=prolog_env(c, node, job_id, nodelist), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(p, timeout=40):
    out, err = p.communicate(timeout=timeout)
    docs = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert len(docs) == 1, (out, err)  # exactly one JSON document on stdout
    return p.returncode, docs[0], err


def srun_docs(r) -> list[dict]:
    """JSON documents of an `srun -l` of the checker, one per task."""
    texts: dict[str, str] = {}
    for line in r.stdout.splitlines():
        rank, _, text = line.partition(": ")
        texts[rank] = texts.get(rank, "") + text
    return [json.loads(t) for t in texts.values()]


def result(doc, check):
    found = [r for r in doc["results"] if r["check"] == check]
    assert found, doc
    return found[0]


def test_four_node_job_runs_the_multi_node_host_check(cluster_factory, checker):
    c = cluster_factory(nodes=4)
    conf, _ = configure(c)
    r = c.run(["srun", "-N4", "-l", checker, "--prolog", "--level", "nccl", "--config", str(conf)],
              check=False, timeout=90, env={"KUBESLURM_GPU_BACKEND": "/nonexistent/libkubeslurm-gpu.so"})
    assert r.returncode == 0, r.stdout + r.stderr
    docs = srun_docs(r)
    assert len(docs) == 4, r.stdout
    nodes = set()
    for doc in docs:
        nodes.add(doc["node"])
        assert doc["schema"] == "kubeslurm.gpucheck/v1"
        assert doc["status"] == "pass", doc
        assert doc["level"] == "nccl" and doc["culprits"] == []
        assert result(doc, "rendezvous")["status"] == "pass"
        bw = result(doc, "hostnet.bandwidth")
        assert bw["status"] == "pass" and bw["value"] > 0 and bw["unit"] == "MB/s"
        assert "4 nodes" in bw["detail"] and "data verified" in bw["detail"]
        assert result(doc, "hostnet.latency")["value"] > 0
        gpu = result(doc, "gpu")
        assert gpu["status"] == "skip" and "GPU backend not loaded" in gpu["detail"]
    assert nodes == {"n1", "n2", "n3", "n4"}


def test_node_that_never_arrives_is_named_and_not_the_others(cluster_factory, checker):
    c = cluster_factory(nodes=4)
    conf, _ = configure(c, timeout=6)
    procs = {n: start(checker, c, conf, n, 4101, "n[1-4]") for n in ("n1", "n2", "n3")}  # n4 never starts
    t0 = time.time()
    for node, p in procs.items():
        rc, doc, err = finish(p)
        rv = result(doc, "rendezvous")
        assert rv["status"] == "fail" and rv["blame"] == "peers" and rv["peers"] == ["n4"], doc
        assert doc["culprits"] == ["n4"]
        # Blamed on a peer: this node passes and is not drained.
        assert doc["status"] == "pass" and rc == 0, (doc, err)
        assert result(doc, "hostnet")["status"] == "skip"
    assert time.time() - t0 < 6 + 15


def test_follower_that_cannot_reach_the_leader_blames_the_leader(cluster_factory, checker):
    c = cluster_factory(nodes=3)
    conf, _ = configure(c, timeout=2)
    procs = [start(checker, c, conf, n, 4102, "n[1-3]") for n in ("n2", "n3")]  # the leader n1 is absent
    for p in procs:
        rc, doc, err = finish(p)
        assert doc["culprits"] == ["n1"], doc
        assert result(doc, "rendezvous")["peers"] == ["n1"]
        assert rc == 0 and doc["status"] == "pass"
        assert "cannot reach the leader n1" in err


def _munge(c, payload: str, user: str | None) -> str:
    argv = ["munge", f"--socket={c.munge_socket}", "--string", payload]
    if user:
        argv = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *argv]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def _send(port: int, cred: str):
    deadline = time.time() + 5
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                data = cred.encode()
                s.sendall(struct.pack("!I", len(data)) + data)
                time.sleep(0.2)
                return
        except ConnectionRefusedError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def test_forged_rendezvous_messages_are_rejected(cluster_factory, checker):
    c = cluster_factory(nodes=2)
    conf, port_lo = configure(c, timeout=8)
    # Like /run/munge on a real host: unprivileged users may reach munged (and get credentials
    # that carry their own uid).
    os.chmod(c.dir / "munge", 0o755)
    job = 4103
    leader = start(checker, c, conf, "n1", job, "n[1-2]")
    port = port_lo + job % 8
    hello = {"type": "hello", "job_id": job, "node": "n2", "rank": 1, "port": 9}
    _send(port, _munge(c, json.dumps(hello), "nobody"))                       # wrong uid
    _send(port, _munge(c, json.dumps(dict(hello, job_id=job + 1)), None))      # wrong job
    _send(port, "MUNGE:forged-credential")                                    # not munge at all
    rc, doc, err = finish(leader)
    assert "uid 65534 is neither root nor SlurmUser" in err, err
    assert f"is for job {job + 1}, not job {job}" in err, err
    assert "invalid munge credential" in err, err
    # None of them counted as n2's arrival.
    assert doc["culprits"] == ["n2"], doc
    assert result(doc, "rendezvous")["status"] == "fail"


def test_site_threshold_fails_exactly_that_node(cluster_factory, checker):
    c = cluster_factory(nodes=3)
    conf, _ = configure(c, site='[node "n2"]\nhostnet.min_busbw_mbps = 1e12\n')
    procs = {n: start(checker, c, conf, n, 4104, "n[1-3]") for n in ("n1", "n2", "n3")}
    for node, p in procs.items():
        rc, doc, err = finish(p)
        bw = result(doc, "hostnet.bandwidth")
        if node == "n2":
            assert rc == 1 and doc["status"] == "fail", doc
            assert bw["status"] == "fail" and bw["threshold"] == 1e12
            assert doc["reason"].startswith("kubeslurm: hostnet.bandwidth: ") and doc["reason"].endswith(" MB/s")
            assert " < " in doc["reason"]
        else:
            assert rc == 0 and doc["status"] == "pass" and bw["status"] == "pass", doc


def test_hung_check_is_a_timeout_within_the_deadline(cluster_factory, checker):
    c = cluster_factory(nodes=1)
    conf, _ = configure(c, site='[node "n1"]\nhost.membw.iterations = 1e12\nhost.membw.deadline_s = 2\n')
    t0 = time.time()
    rc, doc, err = finish(start(checker, c, conf, "n1", 4105, "n1", level="quick"))
    elapsed = time.time() - t0
    assert rc == 2 and doc["status"] == "timeout", doc
    assert doc["reason"] == "kubeslurm: host.membw: timeout after 2 s"
    assert elapsed < 2 + 2, elapsed
    assert result(doc, "host.memory")["status"] == "pass"  # the other checks still ran


@pytest.fixture
def fake_backend(build_dir):
    path = build_dir / "tests" / "libks-fake-gpu-backend.so"
    if not path.exists():
        pytest.skip(f"{path} not built")
    return str(path)


def test_gpu_backend_checks_run_across_nodes(cluster_factory, checker, fake_backend):
    c = cluster_factory(nodes=3)
    conf, _ = configure(c)
    r = c.run(["srun", "-N3", "-l", checker, "--prolog", "--level", "nccl", "--config", str(conf)],
              check=False, timeout=90, env={"KUBESLURM_GPU_BACKEND": fake_backend, "SLURM_JOB_GPUS": "1,3"})
    assert r.returncode == 0, r.stdout + r.stderr
    docs = srun_docs(r)
    assert len(docs) == 3
    for doc in docs:
        per_device = [x for x in doc["results"] if x["check"] == "gpu.fake"]
        assert [x["device"] for x in per_device] == [1, 3], doc
        multi = result(doc, "gpu.fake_multi")  # allgather through the munge-signed rendezvous
        assert multi["status"] == "pass" and multi["value"] == 3, doc


def test_hung_gpu_call_is_abandoned_and_the_process_exits(cluster_factory, checker, fake_backend):
    c = cluster_factory(nodes=1)
    conf, _ = configure(c, site='[node "n1"]\ngpu.fake.hang_s = 60\ngpu.fake.deadline_s = 2\n')
    env = prolog_env(c, "n1", 4106, "n1")
    env["KUBESLURM_GPU_BACKEND"] = fake_backend
    t0 = time.time()
    p = subprocess.Popen([checker, "--prolog", "--level", "quick", "--config", str(conf)], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rc, doc, err = finish(p, timeout=20)
    assert time.time() - t0 < 2 + 2
    assert rc == 2 and doc["reason"] == "kubeslurm: gpu.fake: timeout after 2 s", doc
    assert "abandoned" in result(doc, "gpu.fake")["detail"]


def test_usage_errors_still_answer_the_gate(checker):
    r = subprocess.run([checker, "--prolog", "--level", "burnin"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 64
    doc = json.loads(r.stdout)
    assert doc["status"] == "error" and "burnin is not allowed with --prolog" in doc["reason"]
    r = subprocess.run([checker, "--level", "fast"], capture_output=True, text=True, timeout=10)
    assert r.returncode == 64 and "usage:" in r.stderr and r.stdout == ""
    r = subprocess.run([checker, "--list-checks"], capture_output=True, text=True, timeout=10,
                       env=dict(os.environ, KUBESLURM_GPU_BACKEND="/nonexistent.so"))
    assert r.returncode == 0
    names = [line.split()[0] for line in r.stdout.splitlines()]
    assert names == ["host.memory", "host.membw", "hostnet", "gpu"], r.stdout
