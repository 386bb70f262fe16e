#!/usr/bin/python3
"""bench-sync: kubeslurm-sync at scale.

Method
  * The Kubernetes API test server holds 10,000 nodes (n1..n10000) with GFD labels (NVLink
    clique, GPU product); a real local Slurm cluster runs --slurm-nodes virtual nodes (default
    128) named n1..nN, so those are the mapped nodes (NodeMapping=node).
  * initial_sync_s: from starting kubeslurm-sync until topology.json holds every node and the
    first reconcile's Slurm updates (a GPU feature per mapped node) are done: paginated list of
    all nodes + informer sync + Slurm poll + reconcile + topology write, whichever ends last.
  * 1,000 changes at --rate per second over the mapped nodes, round-robin: even-numbered nodes get
    label changes (GPU product and NVLink clique flip: a Slurm feature update and a topology
    rewrite of all 10,000 nodes), odd-numbered nodes get cordon / uncordon (drain / resume).
    Latency = time the daemon recorded the Slurm update as done (its action log) - time the
    change was sent to the API server; p50 / p99 over all 1,000.
  * peak_rss_mb: the daemon's VmHWM at the end.
Prints its headline figures last as key=value lines; --doc FILE splices a summary between the
`sync` markers of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import pathlib
import platform
import ssl
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "integration"))

from k8sserver import K8sTestServer  # noqa: E402
from slurmcluster import SlurmCluster  # noqa: E402
from syncd import SyncDaemon, write_conf  # noqa: E402

PRODUCTS = ("NVIDIA H100 80GB HBM3", "NVIDIA H200")
CLIQUE = "nvidia.com/gpu.clique"
PRODUCT = "nvidia.com/gpu.product"


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def seed(server: K8sTestServer, count: int) -> None:
    def labels(i: int) -> dict:
        return {CLIQUE: f"cluster0.{(i - 1) // 18}", PRODUCT: PRODUCTS[0],
                "network.topology.nvidia.com/leaf": f"leaf{(i - 1) // 72}"}
    chunk = 1000
    for lo in range(1, count + 1, chunk):
        objs = [server.node_object(f"n{i}", labels=labels(i)) for i in range(lo, min(count, lo + chunk - 1) + 1)]
        server.seed(objs)


class Patcher:
    """One keep-alive HTTPS connection to the API server (admin token)."""

    def __init__(self, server: K8sTestServer):
        ctx = ssl.create_default_context(cafile=str(server.ca_file))
        self.conn = http.client.HTTPSConnection("127.0.0.1", server.port, context=ctx, timeout=30)
        self.headers = {"Authorization": f"Bearer {server.admin_token}",
                        "Content-Type": "application/merge-patch+json"}

    def patch(self, node: str, body: dict) -> None:
        self.conn.request("PATCH", f"/api/v1/nodes/{node}", body=json.dumps(body), headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        if r.status >= 300:
            raise RuntimeError(f"PATCH {node} -> {r.status}: {data[:200]!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--k8s-nodes", type=int, default=10000)
    ap.add_argument("--slurm-nodes", type=int, default=int(os.environ.get("BENCH_SYNC_SLURM_NODES", 128)))
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=50.0, help="changes per second")
    ap.add_argument("--doc", help="splice the results into this Markdown file (sync markers)")
    args = ap.parse_args()

    build = pathlib.Path(os.environ.get("KUBESLURM_BUILD", ROOT / "build" / "release"))
    binary = build / "bin" / "kubeslurm-sync"
    work = pathlib.Path(tempfile.mkdtemp(prefix="ks-bench-sync-"))
    mapped = [f"n{i}" for i in range(1, args.slurm_nodes + 1)]

    print(f"bench-sync: {args.k8s_nodes} Kubernetes nodes, {args.slurm_nodes} Slurm nodes, "
          f"{args.changes} changes at {args.rate:g}/s", flush=True)
    with K8sTestServer(build_dir=build) as server:
        t = time.monotonic()
        seed(server, args.k8s_nodes)
        print(f"seeded {args.k8s_nodes} nodes in {time.monotonic() - t:.1f} s", flush=True)
        t = time.monotonic()
        cluster = SlurmCluster(nodes=args.slurm_nodes, cpus=1, memory_mb=100)
        cluster.start()
        print(f"Slurm cluster of {args.slurm_nodes} nodes up in {time.monotonic() - t:.1f} s", flush=True)
        daemon = None
        try:
            conf = write_conf(work / "kubeslurm.conf", server.kubeconfig(), work, LogLevel="info")
            daemon = SyncDaemon(binary, conf, cluster.client_env(), work, "bench")
            t0, wall0 = time.monotonic(), time.time()
            daemon.start(wait_ready=False)
            daemon.wait_log(rf"wrote \S*topology.json \({args.k8s_nodes} nodes", timeout=120)
            topology_s = time.monotonic() - t0
            # The first reconcile: a GPU feature for every mapped node.
            deadline = time.monotonic() + 60
            while len(first := [a for a in daemon.actions() if a["action"] == "features"]) < len(mapped):
                if time.monotonic() > deadline:
                    raise RuntimeError("initial feature sync did not finish")
                time.sleep(0.05)
            slurm_s = max(a["t"] for a in first) - wall0
            initial_sync_s = max(topology_s, slurm_s)
            print(f"initial list + sync: {initial_sync_s:.2f} s (topology.json {topology_s:.2f} s, "
                  f"Slurm features {slurm_s:.2f} s)", flush=True)
            time.sleep(1.0)
            baseline = len(daemon.actions())

            patcher = Patcher(server)
            expected: dict[str, list[tuple[str, float]]] = {n: [] for n in mapped}
            state = {n: {"flip": 0, "cordoned": False} for n in mapped}
            period = 1.0 / args.rate
            start = time.monotonic()
            for i in range(args.changes):
                node = mapped[i % len(mapped)]
                st = state[node]
                if (i % len(mapped)) % 2 == 0:
                    st["flip"] ^= 1
                    body = {"metadata": {"labels": {PRODUCT: PRODUCTS[st["flip"]],
                                                    CLIQUE: f"moved{st['flip']}.{node}"}}}
                    kind = "features"
                else:
                    st["cordoned"] = not st["cordoned"]
                    body = {"spec": {"unschedulable": True if st["cordoned"] else None}}
                    kind = "drain" if st["cordoned"] else "resume"
                delay = start + i * period - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                expected[node].append((kind, time.time()))
                patcher.patch(node, body)

            latencies: list[float] = []
            deadline = time.monotonic() + 60
            while True:
                actions = daemon.actions()[baseline:]
                per_node: dict[str, list[dict]] = {}
                for a in actions:
                    if a["action"] in ("features", "drain", "resume"):
                        per_node.setdefault(a["slurm_node"], []).append(a)
                latencies, missing = [], 0
                for node, exp in expected.items():
                    got = per_node.get(node, [])
                    for j, (kind, sent) in enumerate(exp):
                        if j < len(got) and got[j]["action"] == kind:
                            latencies.append(got[j]["t"] - sent)
                        else:
                            missing += 1
                if missing == 0 or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            if missing:
                raise RuntimeError(f"{missing} of {args.changes} changes never reached Slurm")
            extra = sum(len(v) for v in per_node.values()) - args.changes
            rss_kb = 0
            for line in pathlib.Path(f"/proc/{daemon.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    rss_kb = int(line.split()[1])
            metrics = daemon.metrics()
        finally:
            if daemon:
                daemon.stop()
            cluster.stop(force=True)

    p50 = percentile(latencies, 50) * 1000
    p99 = percentile(latencies, 99) * 1000
    peak_rss_mb = rss_kb / 1024
    print(f"changes: {args.changes} ({extra} extra Slurm updates), topology writes: "
          f"{metrics['kubeslurm_sync_topology_writes_total']:.0f}, passes: "
          f"{metrics['kubeslurm_sync_reconcile_passes_total']:.0f}, max latency "
          f"{max(latencies) * 1000:.1f} ms")
    if args.doc:
        body = (f"Measured with `make bench-sync` on {platform.node()} ({os.cpu_count()} cores), "
                f"{time.strftime('%Y-%m-%d')}, load average {os.getloadavg()[0]:.1f} (shared machine).\n\n"
                f"Method: {args.k8s_nodes:,} nodes in the Kubernetes API test server (GFD clique + product "
                f"labels), a real local Slurm cluster of {args.slurm_nodes} virtual nodes mapped by name; "
                f"{args.changes:,} changes at {args.rate:g}/s round-robin over the mapped nodes (half "
                "GPU product + NVLink clique label flips: a feature update and a topology rewrite of every "
                "node; half cordon/uncordon: drain/resume). Latency = Slurm update done (daemon's action "
                "log) - change sent to the API server.\n\n"
                "| figure | value | target |\n|---|---|---|\n"
                f"| initial list + sync | {initial_sync_s:.2f} s | < 5 s |\n"
                f"| peak RSS | {peak_rss_mb:.1f} MB | < 200 MB |\n"
                f"| event → Slurm p50 | {p50:.1f} ms | |\n"
                f"| event → Slurm p99 | {p99:.1f} ms | < 1000 ms |\n"
                f"| duplicate Slurm updates | {extra} | 0 |\n")
        subprocess.run([sys.executable, str(ROOT / "scripts" / "splice.py"), args.doc, "sync", body], check=True)
    print(f"initial_sync_s={initial_sync_s:.3f}")
    print(f"peak_rss_mb={peak_rss_mb:.1f}")
    print(f"event_p50_ms={p50:.1f}")
    print(f"event_p99_ms={p99:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
