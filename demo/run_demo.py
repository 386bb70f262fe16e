#!/usr/bin/env python3
"""kubeslurm end to end on one machine (`make demo`).

Starts the Kubernetes API test server seeded with two GB200-NVL72-like racks (18 trays each, a
few missing) under two InfiniBand leaf switches, a real local Slurm cluster with those nodes,
select/cons_tres_topo, spank_kubeslurm and kubeslurm-sync; then runs the example sbatch scripts
from docs/examples/ and narrates what happened. Every step verifies what it narrates; the demo
exits 0 only when all of them held. KEEP=1 leaves everything up until Ctrl-C.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback

SOURCE = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SOURCE / "tests" / "integration"))

from k8sserver import K8sTestServer  # noqa: E402
from slurmcluster import SlurmCluster  # noqa: E402
from syncd import SyncDaemon  # noqa: E402

BUILD = pathlib.Path(os.environ.get("KUBESLURM_BUILD", SOURCE / "build" / "release"))
EXAMPLES = SOURCE / "docs" / "examples"
KEEP = os.environ.get("KEEP") == "1"
COLOR = sys.stdout.isatty()

# Two NVL72-like racks: 18 compute trays each, some trays missing (out for repair).
RACKS = {
    "r1": {"clique": "8f2c41d7-5b3e-4c1a-9d2e-6a7b8c9d0e1f.1", "leaf": "ib-leaf-01", "missing": {5, 13}},
    "r2": {"clique": "8f2c41d7-5b3e-4c1a-9d2e-6a7b8c9d0e1f.2", "leaf": "ib-leaf-02", "missing": {9}},
}
SPINE = "ib-spine-01"
BAD_NODE = "gb200-r1-t01"       # the site's thresholds demand more than this node delivers
CORDONED = "gb200-r2-t05"
SPLIT = [f"gb200-r2-t{t:02d}" for t in range(10, 19)]  # rack 2's NVLink partition split
SPLIT_CLIQUE = "8f2c41d7-5b3e-4c1a-9d2e-6a7b8c9d0e1f.3"


def node_names() -> list[str]:
    return [f"gb200-{rack}-t{t:02d}" for rack, r in RACKS.items() for t in range(1, 19)
            if t not in r["missing"]]


def labels_of(name: str) -> dict[str, str]:
    rack = name.split("-")[1]
    r = RACKS[rack]
    return {
        "nvidia.com/gpu.clique": r["clique"],        # NVIDIA GPU feature discovery
        "nvidia.com/gpu.product": "NVIDIA-GB200",
        "nvidia.com/gpu.count": "4",
        "network.topology.nvidia.com/leaf": r["leaf"],   # topograph (legacy keys)
        "network.topology.nvidia.com/spine": SPINE,
    }


# ---- narration -----------------------------------------------------------------------------

T0 = time.monotonic()


def paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def step(title: str):
    print(f"\n{paint('==>', '1;34')} {paint(title, '1')}  [{time.monotonic() - T0:5.1f}s]", flush=True)


def say(text: str):
    print(f"    {text}", flush=True)


class DemoFailure(Exception):
    pass


def verify(cond: bool, what: str, detail: str = ""):
    if not cond:
        raise DemoFailure(f"{what}\n{detail}")
    print(f"    {paint('ok', '32')} {what}", flush=True)


def wait_until(pred, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(interval)
    raise DemoFailure(f"timed out after {timeout:.0f} s waiting for {what}")


# ---- the demo ------------------------------------------------------------------------------

class Demo:
    def __init__(self):
        self.work = pathlib.Path(tempfile.mkdtemp(prefix="kubeslurm-demo-"))
        self.server: K8sTestServer | None = None
        self.cluster: SlurmCluster | None = None
        self.sync: SyncDaemon | None = None
        self.topology = self.work / "topology.json"

    # -- helpers --

    def topo(self, *args: str) -> str:
        r = self.cluster.run([str(BUILD / "bin" / "kubeslurm-topo"), *args,
                              "--config", str(self.conf)], check=False)
        if r.returncode != 0:
            raise DemoFailure(f"kubeslurm-topo {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
        return r.stdout

    def explain(self, job: int) -> dict:
        """`kubeslurm-topo explain JOB --json`, with the domain count and the expanded node list."""
        e = json.loads(self.topo("explain", str(job), "--json"))
        e["node_list"] = self.cluster.run(["scontrol", "show", "hostnames", e["nodes"]]).stdout.split()
        e["domain_names"], e["domains"] = e["domains"], len(e["domains"])
        return e

    def submit(self, script: str, *args: str) -> int:
        return self.cluster.sbatch(list(args), (EXAMPLES / script).read_text(), env={"HOLD": "15"})

    def running(self, job: int, timeout: float = 60) -> dict:
        return self.cluster.wait_job(job, timeout=timeout, states=("RUNNING",))

    def k8s_node(self, name: str) -> dict:
        return json.loads(self.server.kubectl("get", "node", name, "-o", "json").stdout)

    # -- setup --

    def start(self):
        step("Kubernetes API test server with two GB200 NVL72-like racks")
        self.server = K8sTestServer(build_dir=BUILD, workdir=self.work / "k8s").start()
        names = node_names()
        self.server.add_nodes(names, labels_of=labels_of)
        self.kubeconfig = self.server.kubeconfig()
        say(f"{len(names)} nodes: rack r1 {sum(n.split('-')[1] == 'r1' for n in names)} trays "
            f"(t05, t13 missing), rack r2 {sum(n.split('-')[1] == 'r2' for n in names)} trays (t09 missing)")
        say("labels: nvidia.com/gpu.clique (GFD) + network.topology.nvidia.com/{leaf,spine} (topograph)")
        say(f"kubectl --kubeconfig {self.kubeconfig} get nodes  ->  "
            f"{len(self.server.kubectl('get', 'nodes', '-o', 'name').stdout.split())} nodes")

        step("kubeslurm.conf, site thresholds, local Slurm cluster with the plugins")
        self.site = self.work / "site-thresholds.conf"
        self.site.write_text("# Site acceptance floors (kubeslurm thresholds format).\n")
        self.conf = self.work / "kubeslurm.conf"
        self.conf.write_text("\n".join([
            f"TopologyFile={self.topology}",
            "TopologyPolicy=prefer",
            f"KubeConfig={self.kubeconfig}",
            "MetricsAddress=127.0.0.1:0",
            "LeaderElection=no",
            "GpuCheck=quick",
            f"CheckerPath={BUILD / 'bin' / 'kubeslurm-gpucheck'}",
            f"ThresholdsDir={SOURCE / 'src' / 'health' / 'thresholds.d'}",
            f"SiteThresholdsFile={self.site}",
            f"GateStateDir={self.work / 'gate'}",
            f"GpuBackend={BUILD / 'lib' / 'libkubeslurm-gpu.so'}",
            "CheckTimeout=30",
        ]) + "\n")
        say(f"config: {self.conf}")
        self.cluster = SlurmCluster(
            names=names, cpus=4, memory_mb=4000,
            select_type="select/cons_tres_topo",
            plugin_dirs=[str(BUILD / "plugins")],
            plugstack=[f"required {BUILD / 'plugins' / 'spank_kubeslurm.so'} conf={self.conf}"],
            prolog_flags="Alloc,DeferBatch", prolog_timeout=60, cred_expire=10,
            extra_conf=["SchedulerParameters=nohold_on_prolog_fail,sched_interval=2,bf_interval=2"],
            env={"KUBESLURM_CONF": str(self.conf)})
        self.cluster.start()
        sinfo = self.cluster.run(["sinfo", "-h", "-o", "%D %t"]).stdout.split()
        verify(sinfo[:2] == [str(len(names)), "idle"],
               f"slurmctld + {len(names)} slurmd up, SelectType=select/cons_tres_topo", str(sinfo))

        step("kubeslurm-sync: Kubernetes labels -> topology.json, live")
        self.sync = SyncDaemon(BUILD / "bin" / "kubeslurm-sync", self.conf, self.cluster.client_env(),
                               self.work, "sync")
        self.sync.start()
        topo = wait_until(lambda: self.topology.exists() and json.loads(self.topology.read_text()),
                          10, "topology.json")
        domains = {}
        for n in topo["nodes"]:
            domains.setdefault(n.get("domain"), []).append(n["name"])
        verify(len(domains) == 2 and sorted(map(len, domains.values())) == [16, 17],
               "topology.json: 2 NVLink domains (16 + 17 nodes) under 2 leaves",
               json.dumps(topo)[:500])
        print(self.indent(self.topo("show")))

    # -- steps --

    def placement(self):
        step("Placement: a job that fits one NVLink domain gets the best-fit domain")
        tp = self.submit("tensor-parallel.sbatch")
        self.running(tp)
        e = self.explain(tp)
        say(f"job {tp} (4 nodes): {e.get('nodes')}")
        verify(e["domains"] == 1 and e["minimum_domains"] == 1,
               f"spans {e['domains']} domain (minimum {e['minimum_domains']}); "
               f"best fit is rack r1 (16 free) over r2 (17 free)", json.dumps(e))
        verify(all(n.startswith("gb200-r1-") for n in e["node_list"]), "all 4 nodes in rack r1",
               json.dumps(e))

        step("Placement: a job larger than a domain takes the fewest domains")
        pp = self.submit("pipeline-parallel.sbatch")
        self.running(pp)
        e = self.explain(pp)
        say(f"job {pp} (24 nodes): {e.get('nodes')}")
        verify(e["domains"] == e["minimum_domains"] == 2,
               f"spans {e['domains']} domains = the minimum possible", json.dumps(e))
        self.cluster.run(["scancel", str(tp), str(pp)])
        self.cluster.wait_nodes_idle(timeout=60)

    def health_gate(self):
        step("Health gate: a failing node is caught before the batch script, the job requeued")
        # Site staff raise one node's acceptance floor above what it delivers: its real host
        # memory bandwidth measurement now fails the gate (the checker reads the file each run).
        self.site.write_text(self.site.read_text() +
                             f'[node "{BAD_NODE}"]\nhost.membw.min_gbps = 100000\n')
        say(f"site thresholds now demand host.membw >= 100000 GB/s on {BAD_NODE} (it cannot deliver that)")
        job = self.submit("health-gated.sbatch")
        say(f"job {job} (16 nodes, --topology=block, --gpu-check=quick) submitted: rack r1 (16 free) is "
            "the best-fit domain; the prolog checks every node")
        info = self.cluster.wait_job(job, timeout=120)
        nodes = self.cluster.nodes_info()
        bad = nodes[BAD_NODE]
        reason = bad.get("Reason", "")
        say(f"{BAD_NODE}: State={bad.get('State')} Reason={reason}")
        verify("DRAIN" in bad.get("State", "") and reason.startswith("kubeslurm: host.membw:"),
               f"{BAD_NODE} drained with the failing check's figure and threshold", reason)
        others = [n for n, i in nodes.items() if n != BAD_NODE and "DRAIN" in i.get("State", "")]
        verify(not others, "no other node drained", str(others))
        out = self.cluster.output(job)
        verify(info["JobState"] == "COMPLETED" and int(info.get("Restarts", 0)) >= 1,
               f"job {job} requeued (restarts={info.get('Restarts')}) and completed on {info['NodeList']}",
               json.dumps(info)[:800] + "\n" + out)
        rerun = self.cluster.run(["scontrol", "show", "hostnames", info["NodeList"]]).stdout.split()
        verify(BAD_NODE not in rerun and all(n.startswith("gb200-r2-") for n in rerun),
               "the rerun avoided the drained node: rack r1 has 15 healthy nodes left, so it took rack r2")
        say("job output:\n" + self.indent(out.strip(), 8))

        step("kubeslurm-sync: the health verdict reaches Kubernetes")

        def marked():
            n = self.k8s_node(BAD_NODE)
            cond = [c for c in n.get("status", {}).get("conditions", []) if c["type"] == "GPUHealthCheckFailed"]
            taint = [t for t in n.get("spec", {}).get("taints", []) if t["key"] == "kubeslurm.io/unhealthy"]
            return (cond, taint) if cond and cond[0]["status"] == "True" and taint else None

        cond, taint = wait_until(marked, 10, "condition and taint on the drained node")
        verify(True, f"condition GPUHealthCheckFailed=True reason={cond[0].get('reason')} "
                     f"message={cond[0].get('message')!r}")
        verify(True, f"taint {taint[0]['key']}={taint[0].get('value')}:{taint[0]['effect']}")

    def cordon(self):
        step("Kubernetes cordon -> Slurm drain (watch-driven), uncordon -> resume")
        t = time.monotonic()
        self.server.kubectl("cordon", CORDONED)
        reason = wait_until(lambda: (i := self.cluster.nodes_info()[CORDONED]) and "DRAIN" in i["State"]
                            and i.get("Reason"), 5, f"{CORDONED} drained", interval=0.02)
        lag = time.monotonic() - t
        verify(reason.startswith("kubeslurm: k8s:"), f"kubectl cordon {CORDONED}: drained in {lag:.2f} s, "
               f"Reason={reason.rsplit(' [', 1)[0]}", reason)
        self.server.kubectl("uncordon", CORDONED)
        wait_until(lambda: "DRAIN" not in self.cluster.nodes_info()[CORDONED]["State"], 5,
                   f"{CORDONED} resumed")
        verify(True, f"kubectl uncordon {CORDONED}: resumed")
        verify("DRAIN" in self.cluster.nodes_info()[BAD_NODE]["State"],
               f"{BAD_NODE} stays drained: its cause (the failed check) is not Kubernetes'")

    def live_topology(self):
        step("Live topology: rack r2's NVLink partition is split; the next job sees it at once")
        before = self.topology.stat().st_mtime_ns
        for name in SPLIT:
            self.server.kubectl("label", "node", name, f"nvidia.com/gpu.clique={SPLIT_CLIQUE}", "--overwrite")
        wait_until(lambda: self.topology.stat().st_mtime_ns != before and
                   len({n.get("domain") for n in json.loads(self.topology.read_text())["nodes"]}) == 3,
                   10, "topology.json with 3 domains")
        verify(True, "kubeslurm-sync rewrote topology.json: 3 domains (r1: 16, r2a: 8, r2b: 9); "
                     "no scontrol reconfigure")
        job = self.submit("strict-domain.sbatch")
        info = self.cluster.wait_job(job, timeout=60)
        e = self.explain(job)
        say(f"job {job} (9 nodes, --topology=block): {e.get('nodes')}")
        verify(info["JobState"] == "COMPLETED" and e["domains"] == 1 and
               sorted(e["node_list"]) == sorted(SPLIT),
               "one domain: exactly the 9 trays of the new partition (best fit over rack r1's 15 free)",
               json.dumps(e))

    # -- teardown --

    def explore(self):
        env = self.cluster.client_env()
        print(f"""
{paint('The cluster stays up (KEEP=1). From another shell:', '1')}
    export SLURM_CONF={env['SLURM_CONF']}
    sinfo; squeue; scontrol show node {BAD_NODE}
    kubectl --kubeconfig {self.kubeconfig} get nodes
    {BUILD / 'bin' / 'kubeslurm-topo'} show --config {self.conf}
    sbatch {EXAMPLES / 'tensor-parallel.sbatch'}
Press Ctrl-C here to tear everything down.""", flush=True)

        def interrupt(*_):
            raise KeyboardInterrupt

        # Explicit: a shell that starts us in the background would have SIGINT ignored.
        signal.signal(signal.SIGINT, interrupt)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass

    def stop(self):
        for part in (self.sync, self.cluster, self.server):
            if part is None:
                continue
            try:
                part.stop(force=True) if isinstance(part, SlurmCluster) else part.stop()
            except Exception as e:  # keep tearing down the rest
                print(f"    teardown: {type(part).__name__}: {e}", file=sys.stderr)

    @staticmethod
    def indent(text: str, n: int = 4) -> str:
        return "\n".join(" " * n + line for line in text.splitlines())


def main() -> int:
    missing = [p for p in (BUILD / "bin" / "kubeslurm-sync", BUILD / "bin" / "kubeslurm-topo",
                           BUILD / "bin" / "kubeslurm-gpucheck", BUILD / "plugins" / "spank_kubeslurm.so",
                           BUILD / "plugins" / "select_cons_tres_topo.so",
                           BUILD / "tests" / "kubeslurm-k8s-testserver") if not p.exists()]
    if missing:
        print("demo: not built: " + ", ".join(map(str, missing)), file=sys.stderr)
        return 2
    demo = Demo()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ok = False
    try:
        demo.start()
        demo.placement()
        demo.health_gate()
        demo.cordon()
        demo.live_topology()
        ok = True
        step(paint(f"All steps behaved as narrated ({time.monotonic() - T0:.0f} s)", "1;32"))
        if KEEP:
            demo.explore()
    except DemoFailure as e:
        step(paint("FAILED: " + str(e), "1;31"))
    except Exception:
        step(paint("FAILED with an unexpected error", "1;31"))
        traceback.print_exc()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        step("Tearing down (Kubernetes API test server, kubeslurm-sync, slurmctld, slurmd, munged)")
        demo.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
