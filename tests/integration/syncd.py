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
