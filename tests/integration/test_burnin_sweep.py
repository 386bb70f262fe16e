"""kubeslurm-burnin on a real local Slurm cluster: the sweep runs one real job per node (and
multi-node jobs per NVLink domain and leaf switch), collects the checker's JSON, writes the
Markdown/HTML/JSON report, appends the history, names repeat offenders and drains failures."""
import json
import os
import pathlib
import re
import stat
from html.parser import HTMLParser

import pytest

SOURCE = pathlib.Path(__file__).resolve().parents[2]
VOID = {"meta", "br", "hr", "img", "input", "link", "circle", "line", "rect", "path"}


class _Balance(HTMLParser):
    """Fails on unbalanced tags: the HTML report must be well-formed."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def check_html(path: pathlib.Path) -> list[str]:
    p = _Balance()
    p.feed(path.read_text())
    p.close()
    assert not p.errors and p.stack in ([], ["html"]) or not p.stack, (p.errors, p.stack)
    assert "script" not in p.tags
    return p.tags


def binary(build_dir, name):
    path = build_dir / "bin" / name
    if not path.exists():
        pytest.skip(f"{path} not built")
    return path


def write_conf(tmp: pathlib.Path, build_dir: pathlib.Path, checker: pathlib.Path) -> pathlib.Path:
    thresholds = tmp / "thresholds.d"
    thresholds.mkdir()
    for src in (SOURCE / "src/health/thresholds.d/00-host.conf", SOURCE / "src/health/gpu/thresholds.d/10-gpu.conf"):
        if src.exists():
            (thresholds / src.name).write_text(src.read_text())
    conf = tmp / "kubeslurm.conf"
    lines = [f"ThresholdsDir={thresholds}", f"SiteThresholdsFile={tmp}/none.conf", f"CheckerPath={checker}",
             f"GpuBackend={build_dir / 'lib' / 'libkubeslurm-gpu.so'}", "CheckTimeout=60"]
    conf.write_text("\n".join(lines) + "\n")
    return conf


def sweep(c, burnin, *args, timeout=300):
    return c.run([str(burnin), *map(str, args)], check=False, timeout=timeout)


def history_lines(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_sweep_with_the_real_checker(cluster_factory, build_dir, tmp_path):
    burnin = binary(build_dir, "kubeslurm-burnin")
    checker = binary(build_dir, "kubeslurm-gpucheck")
    conf = write_conf(tmp_path, build_dir, checker)
    topo = tmp_path / "topology.json"
    topo.write_text(json.dumps({"version": 1, "nodes": [
        {"name": "n1", "domain": "d1", "tiers": ["leaf1"]},
        {"name": "n2", "domain": "d1", "tiers": ["leaf1"]},
        {"name": "n3", "tiers": ["leaf1"]}]}))
    out, hist = tmp_path / "report", tmp_path / "state" / "history.jsonl"
    c = cluster_factory(nodes=3)

    r = sweep(c, burnin, "--nodes", "n[1-3]", "--duration", "1s", "--config", conf, "--topology", topo,
              "--output", out, "--history", hist)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[3/3]" in r.stderr, r.stderr

    result = json.loads((out / "sweep.json").read_text())
    assert [n["node"] for n in result["nodes"]] == ["n1", "n2", "n3"]
    for n in result["nodes"]:
        assert n["status"] == "pass", n
        checks = {x["check"]: x for x in n["results"]}
        assert checks["host.memory"]["status"] == "pass", checks
        # No GPU here: every GPU check answered skip with its reason (backend loaded or not).
        gpu = [x for x in n["results"] if x["check"].startswith("gpu")]
        assert gpu and all(x["status"] == "skip" and x["detail"] for x in gpu), gpu
    groups = {(g["kind"], g["name"]): g for g in result["groups"]}
    assert set(groups) == {("NVLink domain", "d1"), ("leaf switch", "leaf1")}, result["groups"]
    domain, leaf = groups[("NVLink domain", "d1")], groups[("leaf switch", "leaf1")]
    assert domain["nodes"] == ["n1", "n2"] and leaf["nodes"] == ["n1", "n2", "n3"]
    for g in (domain, leaf):
        assert g["status"] == "pass", g
        assert sorted(rep["node"] for rep in g["reports"]) == g["nodes"]
        # The group job ran the checker's multi-node checks across the group's nodes.
        assert any(x["check"] == "hostnet.bandwidth" and x["status"] == "pass" for x in g["reports"][0]["results"]), g

    md = (out / "report.md").read_text()
    assert md.startswith("# kubeslurm burn-in report")
    assert re.search(r"^\| n2 \| pass \|", md, re.M), md
    assert re.search(r"^\| NVLink domain d1 \| 2 \| pass \| \d+ MB/s \(host network\) \|", md, re.M), md
    assert "| leaf switch leaf1 | 3 | pass |" in md
    tags = check_html(out / "report.html")
    assert "svg" in tags and "table" in tags
    assert (out / "raw" / "n1.out").exists()

    lines = history_lines(hist)
    assert sorted(e["node"] for e in lines) == ["n1", "n2", "n3"]
    assert all(e["status"] == "pass" and e["sweep"] == result["sweep"] for e in lines)

    # A second sweep appends to the same history.
    r = sweep(c, burnin, "--nodes", "n[1-2]", "--level", "quick", "--config", conf, "--no-multinode",
              "--output", tmp_path / "report2", "--history", hist)
    assert r.returncode == 0, r.stderr
    assert len(history_lines(hist)) == 5


FAKE_CHECKER = r"""#!/usr/bin/python3
# Test double of kubeslurm-gpucheck (contract kubeslurm.gpucheck/v1): node n2 has slow HBM.
import json, os, sys
node = os.environ.get("SLURMD_NODENAME", "?")
slow = node == "n2"
hbm = [3000.0, 2990.0] if not slow else [3005.0, 2000.0]
results = [{"check": "gpu.hbm_bandwidth", "status": "fail" if v < 2650 else "pass", "value": v,
            "threshold": 2650, "unit": "GB/s", "comparison": ">=", "device": i, "blame": "self"}
           for i, v in enumerate(hbm)]
status = "fail" if slow else "pass"
reason = "kubeslurm: gpu.hbm_bandwidth: 2000 < 2650 GB/s" if slow else ""
print("CHECK STATUS\ngpu.hbm_bandwidth " + status)
print(json.dumps({"schema": "kubeslurm.gpucheck/v1", "node": node, "job_id": 1, "level": "burnin",
                  "status": status, "duration_s": 1.0, "reason": reason, "results": results, "culprits": []}))
sys.exit(1 if slow else 0)
"""


def test_failures_outliers_lemons_and_drain(cluster_factory, build_dir, tmp_path):
    burnin = binary(build_dir, "kubeslurm-burnin")
    fake = tmp_path / "fake-gpucheck"
    fake.write_text(FAKE_CHECKER)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    hist = tmp_path / "history.jsonl"
    c = cluster_factory(nodes=3)
    common = ["--nodes", "n[1-3]", "--checker", fake, "--no-multinode", "--history", hist, "--duration", "1s"]

    r = sweep(c, burnin, *common, "--output", tmp_path / "s1")
    assert r.returncode == 1, r.stderr
    s1 = json.loads((tmp_path / "s1" / "sweep.json").read_text())
    assert [n["status"] for n in s1["nodes"]] == ["pass", "fail", "pass"]
    assert s1["nodes"][1]["reason"] == "kubeslurm: gpu.hbm_bandwidth: 2000 < 2650 GB/s"
    assert s1["lemons"] == [] and s1["drained"] == []
    md = (tmp_path / "s1" / "report.md").read_text()
    assert "| n2 | fail |" in md and "gpu.hbm_bandwidth[1]" in md
    assert re.search(r"\| gpu\.hbm_bandwidth \| n2 GPU 1 \| 2000 GB/s \| >= 2650 \|", md), md
    html = (tmp_path / "s1" / "report.html").read_text()
    check_html(tmp_path / "s1" / "report.html")
    assert html.count('class="outlier"') == 1, "only n2's GPU 1 is an outlier"
    assert c.nodes_info()["n2"]["State"].split("+")[0] == "IDLE" and "DRAIN" not in c.nodes_info()["n2"]["State"]

    # Second failure: n2 is now a repeat offender, and --drain drains it with the checker's reason.
    r = sweep(c, burnin, *common, "--drain", "--output", tmp_path / "s2")
    assert r.returncode == 1, r.stderr
    s2 = json.loads((tmp_path / "s2" / "sweep.json").read_text())
    assert s2["drained"] == [{"node": "n2", "reason": "kubeslurm: gpu.hbm_bandwidth: 2000 < 2650 GB/s"}]
    assert [(x["node"], x["failures"], x["sweeps"]) for x in s2["lemons"]] == [("n2", 2, 2)]
    assert "repeat offender n2" in r.stderr
    info = c.nodes_info()["n2"]
    assert "DRAIN" in info["State"], info
    assert info.get("Reason", "").startswith("kubeslurm: gpu.hbm_bandwidth: 2000 < 2650 GB/s"), info
    assert "DRAIN" not in c.nodes_info()["n1"]["State"]
    md2 = (tmp_path / "s2" / "report.md").read_text()
    assert re.search(r"## Repeat offenders\n\n.*\n.*\n\| n2 \| 2 \| 2 \|", md2), md2

    # A drained node is not swept again; it is listed as not run.
    r = sweep(c, burnin, *common, "--output", tmp_path / "s3")
    assert r.returncode == 0, r.stderr
    s3 = json.loads((tmp_path / "s3" / "sweep.json").read_text())
    assert [n["node"] for n in s3["nodes"]] == ["n1", "n3"]
    assert s3["not_run"][0]["node"] == "n2" and "DRAIN" in s3["not_run"][0]["why"]
    assert len(history_lines(hist)) == 8


def test_jobs_without_a_report_and_usage_errors(cluster_factory, build_dir, tmp_path):
    burnin = binary(build_dir, "kubeslurm-burnin")
    c = cluster_factory(nodes=2)
    r = sweep(c, burnin, "--nodes", "n[1-2]", "--checker", "/nonexistent/kubeslurm-gpucheck", "--no-multinode",
              "--no-history", "--output", tmp_path / "out")
    assert r.returncode == 3, r.stderr
    s = json.loads((tmp_path / "out" / "sweep.json").read_text())
    assert [n["status"] for n in s["nodes"]] == ["error", "error"]
    assert "no checker report" in s["nodes"][0]["problem"], s["nodes"][0]

    r = sweep(c, burnin, "--nodes", "n1", "--topology", tmp_path / "missing.json", "--no-history",
              "--output", tmp_path / "out2")
    assert r.returncode == 64 and "--topology" in r.stderr, r.stderr
    r = sweep(c, burnin, "--nodes", "n1,nine", "--checker", "/bin/true", "--no-multinode", "--no-history",
              "--output", tmp_path / "out3")
    s = json.loads((tmp_path / "out3" / "sweep.json").read_text())
    assert s["not_run"] == [{"node": "nine", "why": "no such Slurm node"}], s
    r = sweep(c, burnin, "--partition", "nosuch", "--no-history")
    assert r.returncode == 64, r.stderr
