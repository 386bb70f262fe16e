"""Slurm 25.05 and later: kubeslurm-sync keeps topology.yaml in step with the Kubernetes labels
and moves a relabelled node between blocks in the running slurmctld through the node update's
topology field, without `scontrol reconfigure`. Stock select/cons_tres + topology/block."""
import os
import re
import subprocess
import time

import pytest

from k8sserver import k8s_server, k8s_server_factory  # noqa: F401  (fixtures)
from slurmcluster import SlurmCluster
from syncd import SyncDaemon, write_conf

NODES = ["n1", "n2", "n3", "n4", "n5", "n6"]
CLIQUE = "nvidia.com/gpu.clique"


def slurm_line() -> tuple[int, int]:
    m = re.match(r"(\d+)\.(\d+)", os.environ.get("KUBESLURM_SLURM_VERSION", ""))
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def node_topology(c, node: str) -> str:
    m = re.search(r"\bTopology=(\S+)", c.run(["scontrol", "show", "node", node]).stdout)
    return m.group(1) if m else ""


def test_a_relabelled_node_moves_between_blocks_without_reconfigure(k8s_server, build_dir, tmp_path):
    if slurm_line() < (25, 5):
        reason = ("the node update's topology field and topology.yaml need Slurm >= 25.05; Slurm "
                  f"under test is {os.environ.get('KUBESLURM_SLURM_VERSION') or 'unknown'}")
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    k8s_server.add_nodes(NODES, labels_of=lambda n: {CLIQUE: "c.A" if n in ("n1", "n2", "n3") else "c.B"})
    c = SlurmCluster(nodes=len(NODES), cpus=1, memory_mb=500, select_type="select/cons_tres",
                     extra_conf=["SchedulerParameters=sched_interval=1"])
    try:
        # The admin's first topology.yaml, from the same labels, before slurmctld starts.
        yaml_path = c.dir / "etc" / "topology.yaml"
        yaml_path.parent.mkdir(parents=True, exist_ok=True)
        nodes_json = tmp_path / "nodes.json"
        nodes_json.write_text(subprocess.run(
            ["kubectl", "--kubeconfig", str(k8s_server.kubeconfig()), "get", "nodes", "-o", "json"],
            check=True, capture_output=True, text=True, timeout=30).stdout)
        conf = write_conf(tmp_path / "kubeslurm.conf", k8s_server.kubeconfig(), tmp_path,
                          TopologyConfFile=str(yaml_path), LeaderElection="no")
        r = subprocess.run([str(build_dir / "bin" / "kubeslurm-topo"), "import", str(nodes_json),
                            "--config", str(conf), "--output", str(tmp_path / "topology.json")],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        c.start()
        d = SyncDaemon(build_dir / "bin" / "kubeslurm-sync", conf, c.client_env(), tmp_path)
        d.start()
        try:
            # Its first pass finds topology.yaml as slurmctld read it (nothing to write or move).
            d.wait_log(r"informers synced", timeout=10)
            time.sleep(2)
            log_before = len(c.log("slurmctld"))
            k8s_server.set_labels("n3", {CLIQUE: "c.B"})
            d.wait_log(r"moved n3 in slurmctld to block:c\.B", timeout=15)
            assert node_topology(c, "n3").startswith("block:c.B"), c.run(["scontrol", "show", "node", "n3"]).stdout
            # A job of block c.B's new size lands there, as one block.
            job = c.sbatch(["-N4", "--exclusive", "--segment=4"], "#!/bin/sh\nsleep 300\n")
            info = c.wait_job(job, timeout=60, states=("RUNNING",))
            hosts = set(c.run(["scontrol", "show", "hostnames", info["NodeList"]]).stdout.split())
            assert hosts == {"n3", "n4", "n5", "n6"}, info
            assert "reconfigure" not in c.log("slurmctld")[log_before:].lower()
        finally:
            d.stop()
    finally:
        c.stop(force=True)
