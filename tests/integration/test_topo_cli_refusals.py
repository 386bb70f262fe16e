"""kubeslurm-topo against strange files and hostile labels (issue 30, items 3-5): a FIFO is refused
at once instead of blocking, outputs never replace a link, device or FIFO, and no label or
annotation value can add a line or a key to the files it writes."""
import json
import os
import subprocess
import time

import pytest


def topo(binary, *args, timeout=10):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "KUBESLURM_CONF": "/nonexistent/kubeslurm.conf"})


def test_fifo_at_the_topology_path_is_refused_at_once(topo_bin, tmp_path):
    fifo = tmp_path / "topology.json"
    os.mkfifo(fifo)
    start = time.monotonic()
    show = topo(topo_bin, "show", "--offline", "--topology", str(fifo))
    imp = topo(topo_bin, "import", "--output", str(tmp_path / "out.json"), str(fifo))
    assert time.monotonic() - start < 5
    for r in (show, imp):
        assert r.returncode == 1, r
        assert f"cannot read {fifo}: it is a FIFO, not a regular file" in r.stderr, r.stderr


@pytest.fixture
def labels_file(tmp_path):
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"kind": "NodeList", "items": [
        {"metadata": {"name": "n1", "labels": {"nvidia.com/gpu.clique": "c.1"}}},
        {"metadata": {"name": "n2", "labels": {"nvidia.com/gpu.clique": "c.1"}}}]}))
    return path


@pytest.mark.parametrize("kind", ["symlink", "device", "fifo", "directory"])
def test_outputs_never_replace_a_link_device_fifo_or_directory(topo_bin, tmp_path, labels_file, kind):
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    target = tmp_path / "target"
    if kind == "symlink":
        target.symlink_to(victim)
    elif kind == "device":
        os.mknod(target, 0o666 | 0o020000, os.makedev(1, 3))  # a private /dev/null
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    for args in (["--output", str(target)], ["--output", str(tmp_path / "ok.json"), "--conf", str(target)]):
        r = topo(topo_bin, "import", *args, str(labels_file))
        assert r.returncode == 1, r
        assert f"refusing to replace {target}: it is a" in r.stderr, r.stderr
    assert victim.read_text() == "keep\n"
    assert {"symlink": target.is_symlink(), "device": target.is_char_device(), "fifo": target.is_fifo(),
            "directory": target.is_dir()}[kind]
    assert not [p for p in tmp_path.iterdir() if ".tmp." in p.name]


def test_hostile_labels_and_annotations_add_no_line_or_key(topo_bin, tmp_path):
    evil = "x\nSwitchName=evil Nodes=ALL"
    src = tmp_path / "nodes.json"
    src.write_text(json.dumps({"kind": "NodeList", "items": [
        {"metadata": {"name": "n1", "labels": {"nvidia.com/gpu.clique": evil, "fabric.topograph.run/tier-0": "l1"}}},
        {"metadata": {"name": "n2", "annotations": {
            "topology.slinky.slurm.net/spec": f"topo-switch:s1\nBlockName=evil Nodes=ALL,topo-block:b\x00x"}}},
        {"metadata": {"name": "n3", "labels": {"nvidia.com/gpu.clique": "c.1"}}}]}))
    out, conf = tmp_path / "topology.json", tmp_path / "topology.conf"
    for form in ("tree", "block"):
        r = topo(topo_bin, "import", "--output", str(out), "--conf", str(conf), "--format", form,
                 "--slurm-version", "24.11", str(src))
        assert r.returncode == 0, r.stderr
        text = conf.read_text()
        assert "evil" not in text and "ALL" not in text, text
        assert all(line.startswith(("#", "SwitchName=", "BlockName=", "BlockSizes=")) for line in text.splitlines())
    nodes = {n["name"]: n for n in json.loads(out.read_text())["nodes"]}
    # The hostile values count as absent: n1 keeps its leaf, n2 its own block.
    assert nodes["n1"] == {"name": "n1", "tiers": ["l1"]}
    assert nodes["n2"] == {"name": "n2"}
    assert nodes["n3"] == {"name": "n3", "domain": "c.1"}
    assert len(out.read_text().splitlines()) == 2 + len(nodes)

    bad_name = tmp_path / "bad-name.json"
    bad_name.write_text(json.dumps({"kind": "Node", "metadata": {"name": "n1\nSwitchName=evil"}}))
    r = topo(topo_bin, "import", "--output", str(out), str(bad_name))
    assert r.returncode == 1
    assert "metadata.name 'n1\\nSwitchName=evil' is not a valid node name" in r.stderr, r.stderr
