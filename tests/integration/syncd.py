"""Runs kubeslurm-sync against a local Slurm cluster (slurmcluster.py) and the Kubernetes API
test server (k8sserver.py): writes its kubeslurm.conf, starts and stops the daemon, reads its
action log, metrics and log. Used by tests/integration/test_sync_*.py and tests/bench/sync.
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def write_conf(path: pathlib.Path, kubeconfig: pathlib.Path, workdir: pathlib.Path, **keys) -> pathlib.Path:
    """kubeslurm.conf for the daemon; keys override the test defaults (fast lease, fast poll)."""
    conf = {
        "KubeConfig": str(kubeconfig),
        "TopologyFile": str(workdir / "topology.json"),
        "MetricsAddress": "127.0.0.1:0",
        "LeaderElection": "yes",
        "LeaseNamespace": "kube-system",
        "LeaseDuration": "3",
        "SlurmPollInterval": "200",
        "LogLevel": "verbose",
    }
    conf.update({k: str(v) for k, v in keys.items()})
    path.write_text("".join(f"{k}={v}\n" for k, v in conf.items() if v is not None))
    return path


class SyncDaemon:
    def __init__(self, binary: pathlib.Path, conf: pathlib.Path, env: dict[str, str],
                 workdir: pathlib.Path, name: str = "sync", extra_args: tuple[str, ...] = ()):
        self.binary = pathlib.Path(binary)
        self.conf = conf
        self.env = dict(env)
        self.workdir = pathlib.Path(workdir)
        self.name = name
        self.action_log = self.workdir / f"{name}-actions.jsonl"
        self.log_path = self.workdir / f"{name}.log"
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None

    def start(self, wait_ready: bool = True, timeout: float = 30) -> "SyncDaemon":
        if not self.binary.exists():
            raise RuntimeError(f"{self.binary} is not built")
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "--config", str(self.conf), "--identity", self.name,
             "--action-log", str(self.action_log), *self.extra_args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent)
        log.close()
        if wait_ready:
            self.wait_log(r"informers synced", timeout)
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
                raise RuntimeError(f"{self.name} did not stop within {timeout} s:\n{self.log()}")
        rc = self.proc.returncode
        self.proc = None
        return rc

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    # ---- observation -------------------------------------------------------------------------

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 15, start: int = 0) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(pattern, self.log()[start:])
            if m:
                return m
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.log()}")
            time.sleep(0.05)
        raise AssertionError(f"{self.name}: no log line /{pattern}/ within {timeout} s:\n{self.log()[-3000:]}")

    def actions(self) -> list[dict]:
        if not self.action_log.exists():
            return []
        return [json.loads(line) for line in self.action_log.read_text().splitlines() if line.strip()]

    def wait_action(self, predicate, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for a in self.actions():
                if predicate(a):
                    return a
            time.sleep(0.02)
        raise AssertionError(f"{self.name}: no matching action within {timeout} s; actions: "
                             f"{self.actions()}\n{self.log()[-3000:]}")

    @property
    def metrics_url(self) -> str:
        m = self.wait_log(r"metrics on (http://\S+)/metrics", 10)
        return m.group(1)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.metrics_url + path, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def metrics(self) -> dict[str, float]:
        status, text = self.get("/metrics")
        assert status == 200, text
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                key, _, value = line.rpartition(" ")
                out[key] = float(value)
        return out


def run_once(binary: pathlib.Path, conf: pathlib.Path, env: dict[str, str], *args: str,
             timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), "--config", str(conf), "--once", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


# ---- shared by the test_sync_*.py files ------------------------------------------------------

class Env:
    def __init__(self, cluster, server, tmp_path, build_dir):
        self.cluster, self.server, self.dir, self.build_dir = cluster, server, tmp_path, build_dir
        self.binary = build_dir / "bin" / "kubeslurm-sync"
        self.daemons: list[SyncDaemon] = []

    def conf(self, name="kubeslurm.conf", **keys):
        return write_conf(self.dir / name, self.server.kubeconfig(), self.dir, **keys)

    def daemon(self, name="sync", conf=None, wait_ready=True, **keys) -> SyncDaemon:
        d = SyncDaemon(self.binary, conf or self.conf(f"{name}.conf", **keys), self.cluster.client_env(),
                       self.dir, name)
        self.daemons.append(d)
        return d.start(wait_ready=wait_ready)

    def once(self, *args, **keys):
        return run_once(self.binary, self.conf("once.conf", **keys), self.cluster.client_env(), *args)

    def node(self, name):
        return self.cluster.nodes_info()[name]

    def drained(self, name):
        return "DRAIN" in self.node(name).get("State", "")

    def reason(self, name):
        return self.node(name).get("Reason", "").rsplit(" [", 1)[0]

    def wait_slurm(self, predicate, timeout=10, what="slurm state"):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what} not reached within {timeout} s: {self.cluster.nodes_info()}")

    def scontrol(self, *args):
        return self.cluster.run(["scontrol", "update", *args])

    def stop_all(self):
        for d in self.daemons:
            d.stop()


def reset_slurm(c, nodes: list[str]):
    deadline = time.monotonic() + 30
    while len(info := c.nodes_info()) < len(nodes):
        assert time.monotonic() < deadline, "slurmctld does not answer:\n" + c.log("slurmctld")[-3000:]
        time.sleep(0.5)
    for name in nodes:
        if "DRAIN" in info[name].get("State", "") or "DOWN" in info[name].get("State", ""):
            c.run(["scontrol", "update", f"nodename={name}", "state=resume"], check=False)
        if info[name].get("AvailableFeatures", "(null)") != "(null)":
            c.run(["scontrol", "update", f"nodename={name}", "availablefeatures=", "activefeatures="],
                  check=False)
    c.wait_nodes_idle(timeout=30)


def sync_fixtures(nodes: list[str], make_cluster=None):
    """The module's `cluster` (started once; `make_cluster(build_dir)` builds it, default: plain nodes) and
    `env` (Slurm nodes reset, Kubernetes nodes of the same names, daemons stopped after) fixtures:
    `cluster, env = sync_fixtures(NODES)` at module level."""
    import pytest
    from slurmcluster import SlurmCluster

    @pytest.fixture(scope="module")
    def cluster(build_dir):
        c = make_cluster(build_dir) if make_cluster else SlurmCluster(nodes=len(nodes), cpus=2, memory_mb=1000)
        c.start()
        try:
            yield c
        finally:
            c.stop(force=True)

    @pytest.fixture
    def env(cluster, k8s_server, tmp_path, build_dir):
        if not (build_dir / "bin" / "kubeslurm-sync").exists():
            pytest.fail(f"{build_dir}/bin/kubeslurm-sync is not built")
        reset_slurm(cluster, nodes)
        k8s_server.add_nodes(nodes)
        e = Env(cluster, k8s_server, tmp_path, build_dir)
        yield e
        e.stop_all()

    return cluster, env


def kinds(actions, kind, node=None):
    return [a for a in actions if a["action"] == kind and (node is None or a["slurm_node"] == node
                                                          or a["kube_node"] == node)]


def metric_sum(metrics: dict[str, float], name: str, **labels: str) -> float:
    """The sum of a metric's series whose labels include `labels` (all series when none)."""
    want = [f'{k}="{v}"' for k, v in labels.items()]
    return sum(v for key, v in metrics.items()
               if (key == name or key.startswith(name + "{")) and all(w in key for w in want))
