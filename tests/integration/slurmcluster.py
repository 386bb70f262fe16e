"""A real local Slurm cluster for integration tests.

Starts its own munged (own key and socket in a temporary directory; a system munge is never
touched), one slurmctld and N `slurmd -N nX` daemons on localhost with free ports, waits until
the nodes are idle, and tears everything down on exit or failure.

Every process it starts carries KUBESLURM_TEST_CLUSTER=<dir> in its environment, and so do the
slurmstepd processes and job tasks they spawn; teardown kills every process tagged with this
cluster's directory, so nothing survives a test, even one that fails half-way. Daemons also get
PR_SET_PDEATHSIG so that they die with the test process if it is killed outright.

Usage:
    with SlurmCluster(nodes=4) as c:
        job = c.sbatch(["-N4"], "#!/bin/sh\\nsrun hostname\\n")
        c.wait_job(job)
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

TAG = "KUBESLURM_TEST_CLUSTER"
# Directories of the clusters this process created: the session's last-resort cleanup kills only
# these, never the clusters of other test runs sharing the machine.
CREATED_DIRS: list[str] = []
# Slurm's own plugins: KUBESLURM_SLURM_PLUGINDIR (set by the Makefile for a Slurm outside /usr),
# else where Debian or an RPM install puts them.
SYSTEM_PLUGIN_DIRS = ([os.environ["KUBESLURM_SLURM_PLUGINDIR"]] if os.environ.get("KUBESLURM_SLURM_PLUGINDIR")
                      else ["/usr/lib/x86_64-linux-gnu/slurm-wlm", "/usr/lib64/slurm", "/usr/lib/slurm"])


def _die_with_parent():
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port_block(count: int, start: int = 10000, end: int = 32000) -> int:
    """First port of `count` consecutive ports that are free for TCP on localhost, below the
    kernel's ephemeral range (32768-60999 by default) so that no outgoing connection takes one
    of them in the meantime."""
    import random

    rng = random.Random(os.getpid() ^ int(time.time()))
    for _ in range(200):
        base = rng.randrange(start, end - count)
        socks = []
        try:
            for p in range(base, base + count):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("127.0.0.1", p))
                socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no block of {count} free ports found")


def _holds_file_under(pid: str, directory: str) -> bool:
    """Whether the process has a file under `directory` open (a log, the job's output)."""
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(directory + "/"):
                return True
    return False


def tagged_pids(tag_value: str | None = None) -> list[int]:
    """PIDs of processes whose environment carries the cluster tag (any cluster when None). For
    one cluster, also the processes that hold a file of its directory open: from 24.11 slurmstepd
    overwrites its environment block with its process title, so its tag cannot be read."""
    needle = f"{TAG}={tag_value}".encode() if tag_value else f"{TAG}=".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            env = pathlib.Path(f"/proc/{entry}/environ").read_bytes()
        except OSError:
            continue
        if any(v == needle or (tag_value is None and v.startswith(needle)) for v in env.split(b"\0")) or \
                (tag_value and _holds_file_under(entry, tag_value)):
            pids.append(int(entry))
    return pids


def kill_tagged(tag_value: str | None = None, grace: float = 3.0) -> list[int]:
    pids = tagged_pids(tag_value)
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.time() + wait
        while time.time() < deadline and tagged_pids(tag_value):
            time.sleep(0.05)
        pids = tagged_pids(tag_value)
        if not pids:
            break
    return pids


@dataclass
class SlurmCluster:
    nodes: int = 4
    cpus: int = 4
    memory_mb: int = 4000
    gres: str | None = None                 # e.g. "gpu:8" on every node
    gres_conf: str | None = None            # gres.conf contents
    select_type: str = "select/cons_tres"
    select_params: str = "CR_Core"
    topology_plugin: str | None = None      # e.g. "topology/tree"
    topology_conf: str | None = None        # topology.conf contents
    plugin_dirs: list[str] = field(default_factory=list)  # searched before the system's
    plugstack: list[str] = field(default_factory=list)    # plugstack.conf lines
    prolog_flags: str | None = None         # e.g. "Alloc,DeferBatch"
    prolog_timeout: int | None = None       # PrologEpilogTimeout
    partitions: list[str] | None = None     # full PartitionName= lines; default one partition
    extra_conf: list[str] = field(default_factory=list)
    node_features: dict[str, str] = field(default_factory=dict)  # node -> Features=
    env: dict[str, str] = field(default_factory=dict)            # extra env for daemons + clients
    node_prefix: str = "n"
    names: list[str] | None = None          # explicit node names (default node_prefix + 1..N)
    keep: bool = False                      # leave running after the with-block (demo KEEP=1)
    cred_expire: int | None = None          # AuthInfo cred_expire (s): a requeued job waits this + 1 s

    def __post_init__(self):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="ks-slurm-", dir="/tmp"))
        CREATED_DIRS.append(str(self.dir))
        self.procs: list[subprocess.Popen] = []
        self.node_names = list(self.names) if self.names else [
            f"{self.node_prefix}{i}" for i in range(1, self.nodes + 1)]
        self.nodes = len(self.node_names)
        self.started = False

    # ---- configuration ---------------------------------------------------------------------

    @property
    def conf(self) -> pathlib.Path:
        return self.dir / "etc" / "slurm.conf"

    @property
    def munge_socket(self) -> pathlib.Path:
        return self.dir / "munge" / "munge.sock"

    def client_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(self.env)
        env["SLURM_CONF"] = str(self.conf)
        env[TAG] = str(self.dir)
        env.pop("SLURM_JOB_ID", None)
        return env

    def _write_config(self):
        d = self.dir
        for sub in ("etc", "state", "log", "spool", "munge", "run"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        # One block for everything, so that the controller's port can never be a node's.
        self.ctld_port = free_port_block(self.nodes + 1)
        self.node_port = self.ctld_port + 1
        plugin_dir = ":".join(self.plugin_dirs + [p for p in SYSTEM_PLUGIN_DIRS if os.path.isdir(p)])
        lines = [
            f"ClusterName=ks{os.getpid() % 100000}",
            "SlurmctldHost=localhost",
            "SlurmUser=root",
            "SlurmdUser=root",
            f"SlurmctldPort={self.ctld_port}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.munge_socket}"
            + (f",cred_expire={self.cred_expire}" if self.cred_expire else ""),
            f"StateSaveLocation={d}/state",
            f"SlurmdSpoolDir={d}/spool/%n",
            f"SlurmctldPidFile={d}/run/slurmctld.pid",
            f"SlurmdPidFile={d}/run/slurmd-%n.pid",
            f"SlurmctldLogFile={d}/log/slurmctld.log",
            f"SlurmdLogFile={d}/log/slurmd-%n.log",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            f"PluginDir={plugin_dir}",
            f"PlugStackConfig={d}/etc/plugstack.conf",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "MpiDefault=none",
            "SwitchType=switch/none",
            "JobCompType=jobcomp/none",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "SchedulerType=sched/backfill",
            f"SelectType={self.select_type}",
            f"SelectTypeParameters={self.select_params}",
            "SlurmdParameters=config_overrides",
            "ReturnToService=2",
            "MailProg=/bin/true",
            "MinJobAge=600",
            "SlurmdTimeout=300",
            "InactiveLimit=0",
            "KillWait=2",
            "UnkillableStepTimeout=30",
            "TreeWidth=65533",
        ]
        if self.gres:
            lines.append("GresTypes=" + ",".join(sorted({g.split(":")[0] for g in self.gres.split(",")})))
        if self.topology_plugin:
            lines.append(f"TopologyPlugin={self.topology_plugin}")
        if self.prolog_flags:
            lines.append(f"PrologFlags={self.prolog_flags}")
        if self.prolog_timeout:
            lines.append(f"PrologEpilogTimeout={self.prolog_timeout}")
        lines += self.extra_conf
        for i, name in enumerate(self.node_names):
            node = (f"NodeName={name} NodeHostname=localhost NodeAddr=127.0.0.1 "
                    f"Port={self.node_port + i} CPUs={self.cpus} RealMemory={self.memory_mb} State=UNKNOWN")
            if self.gres:
                node += f" Gres={self.gres}"
            if name in self.node_features:
                node += f" Features={self.node_features[name]}"
            lines.append(node)
        lines += self.partitions or ["PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP"]
        self.conf.write_text("\n".join(lines) + "\n")
        (d / "etc" / "plugstack.conf").write_text("\n".join(self.plugstack) + "\n")
        if self.gres_conf is not None:
            (d / "etc" / "gres.conf").write_text(self.gres_conf)
        if self.topology_conf is not None:
            (d / "etc" / "topology.conf").write_text(self.topology_conf)
        (d / "etc" / "cgroup.conf").write_text("CgroupPlugin=autodetect\n")

    # ---- daemons ---------------------------------------------------------------------------

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen:
        log = open(self.dir / "log" / f"{name}.out", "ab")
        p = subprocess.Popen(argv, env=self.client_env(), stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent, start_new_session=True)
        log.close()
        self.procs.append(p)
        return p

    def _start_munge(self):
        key = self.dir / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.dir.chmod(0o755)
        (self.dir / "munge").chmod(0o700)
        self._spawn(["munged", "--foreground", "--force", f"--socket={self.munge_socket}",
                     f"--key-file={key}", f"--log-file={self.dir}/log/munged.log",
                     f"--pid-file={self.dir}/run/munged.pid", f"--seed-file={self.dir}/munge/seed"],
                    "munged")
        self._wait(lambda: self.munge_socket.exists(), 10, "munged socket")

    def start(self) -> "SlurmCluster":
        try:
            self._write_config()
            self._start_munge()
            self._spawn(["slurmctld", "-D", "-i", "-f", str(self.conf)], "slurmctld")
            self._wait(self._ctld_up, 30, "slurmctld to answer")
            for name in self.node_names:
                self._spawn(["slurmd", "-D", "-N", name, "-f", str(self.conf)], f"slurmd-{name}")
            self.wait_nodes_idle(timeout=60 + self.nodes // 2)
            self.started = True
            return self
        except BaseException:
            self.stop(force=True)
            raise

    def _ctld_up(self) -> bool:
        r = self.run(["scontrol", "ping"], check=False, timeout=10)
        return "UP" in r.stdout and "DOWN" not in r.stdout.split("Slurmctld(primary) at")[-1][:40]

    def restart_slurmctld(self):
        """Stops slurmctld (SIGTERM, state saved) and starts it again without -i."""
        ctld = [p for p in self.procs if p.args[0] == "slurmctld" and p.poll() is None]
        for p in ctld:
            p.terminate()
            p.wait(timeout=30)
            self.procs.remove(p)  # a deliberate stop, not a crash for _wait() to report
        self._spawn(["slurmctld", "-D", "-f", str(self.conf)], "slurmctld")
        self._wait(self._ctld_up, 30, "slurmctld to answer after restart")

    def stop(self, force: bool = False):
        if self.keep and not force:
            return
        if self.started and any(p.poll() is None for p in self.procs):
            self.run(["scancel", "--full", "-u", "root"], check=False, timeout=10)
        survivors = kill_tagged(str(self.dir))
        for p in self.procs:
            with contextlib.suppress(Exception):
                p.wait(timeout=5)
        if survivors:
            raise RuntimeError(f"processes survived teardown: {survivors}")
        if os.environ.get("KUBESLURM_KEEP_LOGS") is None:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "SlurmCluster":
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # ---- clients ---------------------------------------------------------------------------

    def run(self, argv: list[str], check: bool = True, timeout: float = 60, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        e = self.client_env()
        if env:
            e.update(env)
        r = subprocess.run(argv, env=e, capture_output=True, text=True, timeout=timeout,
                           input=input, stdin=None if input is not None else subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def sbatch(self, args: list[str], script: str, env: dict[str, str] | None = None) -> int:
        r = self.run(["sbatch", "--parsable", f"--chdir={self.dir}", *args], input=script, env=env)
        return int(r.stdout.strip().split(";")[0])

    def job(self, jobid: int) -> dict[str, str]:
        """`scontrol show job -o` as a dict (first record)."""
        r = self.run(["scontrol", "-o", "show", "job", str(jobid)], check=False)
        return _parse_kv(r.stdout)

    def wait_job(self, jobid: int, timeout: float = 60, states=("COMPLETED", "FAILED", "CANCELLED",
                 "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED")) -> dict:
        info: dict = {}

        def done():
            nonlocal info
            info = self.job(jobid)
            return info.get("JobState") in states

        self._wait(done, timeout, f"job {jobid} to reach {states}", lambda: info)
        return info

    def nodes_info(self) -> dict[str, dict[str, str]]:
        r = self.run(["scontrol", "-o", "show", "node"], check=False)
        out = {}
        for line in r.stdout.splitlines():
            kv = _parse_kv(line)
            if "NodeName" in kv:
                out[kv["NodeName"]] = kv
        return out

    def wait_nodes_idle(self, timeout: float = 60, nodes: list[str] | None = None):
        want = set(nodes or self.node_names)
        states: dict = {}

        def idle():
            nonlocal states
            states = {n: i.get("State", "") for n, i in self.nodes_info().items() if n in want}
            return len(states) == len(want) and all(s.split("+")[0] == "IDLE" for s in states.values())

        self._wait(idle, timeout, "nodes to become idle", lambda: states)

    def output(self, jobid: int) -> str:
        path = self.dir / f"slurm-{jobid}.out"
        return path.read_text() if path.exists() else ""

    def log(self, name: str) -> str:
        path = self.dir / "log" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _wait(self, cond, timeout: float, what: str, detail=lambda: ""):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if cond():
                return
            for p in self.procs:
                if p.poll() is not None and p.args[0] in ("slurmctld", "munged"):
                    raise RuntimeError(f"{p.args[0]} exited ({p.returncode}) while waiting for {what}:\n"
                                       + self._tail_logs())
            time.sleep(0.1)
        raise TimeoutError(f"timed out after {timeout}s waiting for {what}: {detail()}\n" + self._tail_logs())

    def _tail_logs(self) -> str:
        out = []
        for name in ("slurmctld", "munged"):
            text = self.log(name)
            out.append(f"--- {name}.log (tail)\n" + "\n".join(text.splitlines()[-15:]))
        return "\n".join(out)


def _parse_kv(line: str) -> dict[str, str]:
    """Parses `scontrol -o` output (Key=Value pairs; values may contain spaces only in Reason)."""
    out: dict[str, str] = {}
    for m in re.finditer(r"(\S+?)=(.*?)(?=\s+\S+?=|\s*$)", line.strip()):
        out[m.group(1)] = m.group(2)
    return out
