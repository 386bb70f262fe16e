"""kubeslurm-topo show / explain against a real local Slurm cluster."""
import json
import re
import subprocess

import pytest

# 8 nodes: d0 = n[1-4] and d1 = n[5-6] under leafA, d2 = n[7-8] under leafB, one spine.
TOPOLOGY = {
    "version": 1,
    "nodes": [{"name": f"n{i}", "domain": d, "tiers": [leaf, "spine1"]}
              for i, d, leaf in [(1, "d0", "leafA"), (2, "d0", "leafA"), (3, "d0", "leafA"), (4, "d0", "leafA"),
                                 (5, "d1", "leafA"), (6, "d1", "leafA"), (7, "d2", "leafB"), (8, "d2", "leafB")]],
}


@pytest.fixture
def topo_file(tmp_path):
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(TOPOLOGY))
    return path


def topo(cluster, binary, *args, check=True):
    return cluster.run([binary, *args], check=check, timeout=60)


def row(text, label):
    """The figures of one tree row: COUNT FREE ALLOC DRAIN."""
    m = re.search(rf"^\s*{re.escape(label)}\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", text, re.M)
    assert m, f"no row '{label}' in:\n{text}"
    return tuple(int(x) for x in m.groups())


def running(cluster, args):
    job = cluster.sbatch(["--exclusive", *args], "#!/bin/sh\nsleep 300\n")
    cluster.wait_job(job, states=("RUNNING",))
    return job


def test_show_counts_free_allocated_and_drained_nodes(cluster_factory, topo_bin, topo_file):
    c = cluster_factory(nodes=8)
    running(c, ["-N2", "-w", "n[1-2]"])
    c.run(["scontrol", "update", "nodename=n7", "state=drain", "reason=topo-test"])

    out = topo(c, topo_bin, "show", "--topology", str(topo_file)).stdout
    assert out.startswith("topology ") and "8 nodes, 3 NVLink domains, 2 leaf switches" in out, out
    assert row(out, "spine spine1") == (8, 5, 2, 1)
    assert row(out, "leaf leafA") == (6, 4, 2, 0)
    assert row(out, "domain d0") == (4, 2, 2, 0)
    assert row(out, "domain d1") == (2, 2, 0, 0)
    assert row(out, "domain d2") == (2, 1, 0, 1)
    assert "not in the topology" not in out


def test_show_reports_nodes_outside_the_topology(cluster_factory, topo_bin, tmp_path):
    c = cluster_factory(nodes=3)
    partial = {"version": 1, "nodes": [{"name": "n1", "domain": "d0"}, {"name": "n2", "domain": "d0"},
                                       {"name": "ghost", "domain": "d0"}]}
    path = tmp_path / "partial.json"
    path.write_text(json.dumps(partial))
    out = topo(c, topo_bin, "show", "--topology", str(path)).stdout
    assert "1 Slurm node(s) not in the topology: n3" in out, out
    assert "1 node(s) of the topology unknown to Slurm: ghost" in out, out


def test_explain_compares_a_job_with_the_minimum(cluster_factory, topo_bin, topo_file):
    c = cluster_factory(nodes=8)
    inside = running(c, ["-N2", "-w", "n[1-2]"])
    across = running(c, ["-N3", "-w", "n[4-6]"])

    text = topo(c, topo_bin, "explain", str(inside), "--topology", str(topo_file)).stdout
    assert f"job {inside} (RUNNING, partition" in text, text
    assert re.search(r"NVLink domains:\s+1 \(d0\)", text), text
    assert re.search(r"minimum domains: 1 \(if every node of partition \S+ were free\)", text), text
    assert re.search(r"span ratio:\s+1\.00", text), text

    doc = json.loads(topo(c, topo_bin, "explain", str(across), "--json", "--topology", str(topo_file)).stdout)
    assert doc["job_id"] == across and doc["state"] == "RUNNING"
    assert doc["nodes"] == "n[4-6]" and doc["node_count"] == 3
    assert doc["domains"] == ["d0", "d1"]
    assert doc["leaves"] == ["leafA"]
    assert doc["minimum_domains"] == 1  # d0 alone has 4 nodes
    assert doc["span_ratio"] == pytest.approx(2.0)


def test_explain_pending_job_and_errors(cluster_factory, topo_bin, topo_file, tmp_path):
    c = cluster_factory(nodes=2)
    pending = c.sbatch(["-N2", "--hold"], "#!/bin/sh\ntrue\n")
    text = topo(c, topo_bin, "explain", str(pending), "--topology", str(topo_file)).stdout
    assert f"job {pending} (PENDING" in text and "no nodes allocated yet" in text, text

    missing = topo(c, topo_bin, "explain", "999999", "--topology", str(topo_file), check=False)
    assert missing.returncode == 1
    assert "kubeslurm: topo: explain: job 999999" in missing.stderr, missing.stderr

    usage = topo(c, topo_bin, "explain", "12x", check=False)
    assert usage.returncode == 64 and "not a job ID: '12x'" in usage.stderr

    broken = tmp_path / "broken.json"
    broken.write_text('{"version": 7, "nodes": []}')
    bad = topo(c, topo_bin, "show", "--topology", str(broken), check=False)
    assert bad.returncode == 1
    assert f"{broken}: unsupported version 7" in bad.stderr, bad.stderr


def test_import_then_show_offline_round_trip(topo_bin, tmp_path):
    labels = {"apiVersion": "v1", "kind": "List", "items": [
        {"kind": "Node", "metadata": {"name": f"gpu{i}", "labels": {
            "nvidia.com/gpu.clique": f"cluster.{i // 3}", "fabric.topograph.run/tier-0": "leaf1"}}}
        for i in range(6)]}
    src = tmp_path / "nodes.json"
    src.write_text(json.dumps(labels))
    out, conf = tmp_path / "topology.json", tmp_path / "topology.conf"
    # The block form exists from Slurm 23.11: name one, whatever Slurm this binary was built for.
    r = subprocess.run([topo_bin, "import", "--output", str(out), "--conf", str(conf), "--format", "block",
                        "--slurm-version", "24.11", str(src)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "6 nodes (6 in an NVLink domain, 6 under a leaf switch)" in r.stderr
    assert "BlockName=cluster.0 Nodes=gpu[0-2]" in conf.read_text()
    again = subprocess.run([topo_bin, "import", "--output", str(out), str(src)], capture_output=True, text=True,
                           timeout=30)
    assert "unchanged" in again.stderr, again.stderr
    show = subprocess.run([topo_bin, "show", "--offline", "--topology", str(out)], capture_output=True, text=True,
                          timeout=30)
    assert re.search(r"^  domain cluster\.1\s+gpu\[3-5\]\s+3$", show.stdout, re.M), show.stdout
