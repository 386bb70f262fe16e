"""The block topology kubeslurm-topo writes, loaded by a real slurmctld with topology/block.

Unequal NVLink domains plus a node without a domain: the file must load (a wrong key or a block
below the planning size makes slurmctld abort), jobs of a block's size must land in one block,
and --segment pieces each in one block. The form follows the Slurm the binaries were built for
(KUBESLURM_SLURM_VERSION): 23.11 BlockLevels, 24.05+ BlockSizes, 25.05+ also topology.yaml.
"""
import json
import os
import re
import subprocess

import pytest

from slurmcluster import SlurmCluster

# d0 = n[1-4], d1 = n[5-8]: the most common size, 4, is the planning size. d2 = n[9-10] is
# smaller (no block before 25.05), d3 = n[11-16] larger (whole on 24.05+, cut to 4 on 23.11),
# n17 has no domain and is in no block. A partition of its own keeps it usable.
DOMAINS = {"d0": range(1, 5), "d1": range(5, 9), "d2": range(9, 11), "d3": range(11, 17)}
BARE = "n17"
NODES = 17
PARTITIONS = ["PartitionName=gpu Nodes=n[1-16] Default=YES MaxTime=INFINITE State=UP",
              f"PartitionName=cpu Nodes={BARE} MaxTime=INFINITE State=UP"]


def slurm_version() -> tuple[int, int]:
    text = os.environ.get("KUBESLURM_SLURM_VERSION", "")
    m = re.match(r"(\d+)\.(\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def need(major: int, minor: int, what: str):
    have = slurm_version()
    if have < (major, minor):
        reason = (f"{what} needs Slurm >= {major}.{minor:02d}; Slurm under test is "
                  f"{os.environ.get('KUBESLURM_SLURM_VERSION') or 'unknown (KUBESLURM_SLURM_VERSION unset)'}")
        print(f"SKIP: {reason}")
        pytest.skip(reason)


@pytest.fixture
def topology_json(tmp_path):
    nodes = [{"name": f"n{i}", "domain": d} for d, r in DOMAINS.items() for i in r] + [{"name": BARE}]
    path = tmp_path / "topology.json"
    path.write_text(json.dumps({"version": 1, "nodes": nodes}))
    (tmp_path / "kubeslurm.conf").write_text("")  # hermetic: no site configuration
    return path


def import_topology(topo_bin, topology_json, out_name: str, fmt: str) -> tuple[str, str]:
    out = topology_json.parent / out_name
    r = subprocess.run([topo_bin, "import", str(topology_json), "--config", str(topology_json.parent / "kubeslurm.conf"),
                        "--output", str(topology_json.parent / "copy.json"), "--conf", str(out),
                        "--format", fmt], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return out.read_text(), r.stderr


def hostnames(cluster, hostlist: str) -> list[str]:
    return cluster.run(["scontrol", "show", "hostnames", hostlist]).stdout.split()


def conf_blocks(cluster, text: str) -> dict[str, set[str]]:
    return {m.group(1): set(hostnames(cluster, m.group(2)))
            for m in re.finditer(r"^BlockName=(\S+) Nodes=(\S+)$", text, re.M)}


def run_jobs(cluster, args_list: list[list[str]]) -> list[set[str]]:
    """Starts the jobs together (exclusive, sleeping) and returns each one's nodes once running."""
    jobs = [cluster.sbatch(["--exclusive", *args], "#!/bin/sh\nsleep 300\n") for args in args_list]
    placed = []
    for job in jobs:
        info = cluster.wait_job(job, timeout=60, states=("RUNNING",))
        placed.append(set(hostnames(cluster, info["NodeList"])))
    return placed


def cancel_all(cluster):
    cluster.run(["scancel", "--full", "-u", "root"], check=False)
    cluster.wait_nodes_idle(timeout=60)


def test_block_form_loads_and_places_jobs_in_whole_blocks(cluster_factory, topo_bin, topology_json):
    need(23, 11, "topology/block")
    legacy = slurm_version() < (24, 5)
    text, log = import_topology(topo_bin, topology_json, "topology.conf", "block")

    # The dialect of the version: 23.11 aborts on BlockSizes, 24.05+ plans with its first value.
    if legacy:
        assert "BlockLevels=0\n" in text and "BlockSizes" not in text, text
    else:
        assert "BlockSizes=4\n" in text and "BlockLevels" not in text, text
    assert BARE not in text, text  # no one-node block shrinking the planning size
    assert "without an NVLink domain are in no block: n17" in log, log
    if slurm_version() < (25, 5):
        assert "NVLink domain \"d2\" has 2 nodes, fewer than the block size 4" in log, log

    c = cluster_factory(nodes=NODES, topology_plugin="topology/block", topology_conf=text,
                        partitions=PARTITIONS)
    blocks = conf_blocks(c, text)
    ctld_log = c.log("slurmctld")
    assert "fatal" not in ctld_log.lower(), ctld_log[-2000:]
    assert re.search(r"blocks lack access to \d+ nodes", ctld_log, re.I), ctld_log[-2000:]
    shown = c.run(["scontrol", "show", "topology"]).stdout
    for name in blocks:
        assert f"BlockName={name} " in shown, shown
    if legacy:
        assert all(len(nodes) == 4 for nodes in blocks.values()), blocks
    elif slurm_version() < (25, 5):
        assert all(len(nodes) >= 4 for nodes in blocks.values()), blocks
    else:  # blocks of any size: every domain is one, the smaller d2 too
        assert sorted(len(nodes) for nodes in blocks.values()) == [2, 4, 4, 6], blocks

    def block_of(node: str) -> str:
        owners = [b for b, nodes in blocks.items() if node in nodes]
        assert len(owners) == 1, f"{node} is in blocks {owners}"
        return owners[0]

    # Three jobs of one block each: every one inside a single block, no two in the same one.
    placed = run_jobs(c, [["-N4"]] * 3)
    homes = []
    for nodes in placed:
        owners = {block_of(n) for n in nodes}
        assert len(owners) == 1, f"a 4-node job spans blocks {owners}: {sorted(nodes)}"
        homes.append(owners.pop())
    assert len(set(homes)) == 3, homes
    cancel_all(c)

    # Nodes outside every block still run jobs through a partition without block nodes.
    job = c.sbatch(["-p", "cpu", "-N1"], "#!/bin/sh\ntrue\n")
    info = c.wait_job(job, timeout=60)
    assert info["JobState"] == "COMPLETED" and info["NodeList"] == BARE, info

    if legacy:
        print("--segment needs Slurm >= 24.05: segment placement not checked")
        return
    # Two segments of 4: each segment is one block's worth inside one block.
    (nodes,) = run_jobs(c, [["-N8", "--segment=4"]])
    per_block: dict[str, int] = {}
    for n in nodes:
        per_block[block_of(n)] = per_block.get(block_of(n), 0) + 1
    assert len(nodes) == 8 and all(k % 4 == 0 for k in per_block.values()), per_block
    cancel_all(c)


def test_topology_yaml_gives_partitions_a_block_and_a_tree_topology(topo_bin, topology_json):
    need(25, 5, "topology.yaml")
    plugin_dir = os.environ.get("KUBESLURM_SLURM_PLUGINDIR", "")
    if not os.path.exists(os.path.join(plugin_dir, "serializer_yaml.so")):
        reason = f"Slurm at {plugin_dir or '?'} was built without serializer/yaml (libyaml): no topology.yaml"
        print(f"SKIP: {reason}")
        pytest.skip(reason)
    text, log = import_topology(topo_bin, topology_json, "topology.yaml", "auto")
    assert text.count("- topology: ") == 2 and 'block: "d2"' in text, text  # gaps are legal from 25.05

    c = SlurmCluster(nodes=NODES, partitions=[
        "PartitionName=gpu Nodes=n[1-16] Default=YES MaxTime=INFINITE State=UP Topology=block",
        f"PartitionName=cpu Nodes=n[9-10],{BARE} MaxTime=INFINITE State=UP Topology=tree"])
    try:
        (c.dir / "etc").mkdir(parents=True, exist_ok=True)
        (c.dir / "etc" / "topology.yaml").write_text(text)
        c.start()
        ctld_log = c.log("slurmctld")
        assert "fatal" not in ctld_log.lower(), ctld_log[-2000:]
        placed = run_jobs(c, [["-N4"]] * 2)
        for nodes in placed:
            assert any(nodes <= set(f"n{i}" for i in r) for r in DOMAINS.values()), sorted(nodes)
        cancel_all(c)
        job = c.sbatch(["-p", "cpu", "-N3"], "#!/bin/sh\ntrue\n")
        assert c.wait_job(job, timeout=60)["JobState"] == "COMPLETED"
    finally:
        c.stop(force=True)
