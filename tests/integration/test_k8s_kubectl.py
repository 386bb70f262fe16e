"""The Kubernetes API test server driven by the real kubectl: its behaviour must match what
kubectl expects from a real API server (discovery, get, label, taint, cordon, patch, watch)."""
import json
import os
import select
import shutil
import time

import pytest

from k8sserver import KUBECTL, K8sTestServer, k8s_server, k8s_server_factory, server_binary  # noqa: F401

pytestmark = [
    pytest.mark.skipif(not os.access(KUBECTL, os.X_OK), reason=f"kubectl not found at {KUBECTL}"),
    pytest.mark.skipif(not server_binary().exists(),
                       reason=f"{server_binary()} not built"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI missing"),
]


@pytest.fixture
def srv(k8s_server):
    k8s_server.add_nodes(["n1", "n2", "n3"],
                         labels_of=lambda n: {"nvidia.com/gpu.clique": f"c.{n[-1]}"})
    return k8s_server


def node_json(srv, name):
    return json.loads(srv.kubectl("get", "node", name, "-o", "json").stdout)


def test_get_list_and_table(srv):
    out = srv.kubectl("get", "nodes", "-o", "name").stdout.split()
    assert out == ["node/n1", "node/n2", "node/n3"]
    srv.cordon("n3")
    srv.set_ready("n2", False)
    table = [l.split() for l in srv.kubectl("get", "nodes").stdout.splitlines()]
    assert table[0] == ["NAME", "STATUS", "ROLES", "AGE"] + ["VERSION"]  # server-side Table
    assert [(r[0], r[1]) for r in table[1:]] == [
        ("n1", "Ready"), ("n2", "NotReady"), ("n3", "Ready,SchedulingDisabled")]
    one = node_json(srv, "n2")
    assert one["metadata"]["labels"]["nvidia.com/gpu.clique"] == "c.2"
    assert int(one["metadata"]["resourceVersion"]) > 0
    missing = srv.kubectl("get", "node", "nope", check=False)
    assert missing.returncode != 0 and "not found" in missing.stderr


def test_pagination_selectors(srv):
    r = srv.kubectl("get", "nodes", "--chunk-size=1", "-o", "name", "-v=6")
    assert r.stdout.split() == ["node/n1", "node/n2", "node/n3"]
    assert r.stderr.count("continue=") == 2  # three pages of one
    sel = srv.kubectl("get", "nodes", "-l", "nvidia.com/gpu.clique in (c.1,c.3)", "-o", "name")
    assert sel.stdout.split() == ["node/n1", "node/n3"]
    neg = srv.kubectl("get", "nodes", "-l", "nvidia.com/gpu.clique!=c.1", "-o", "name")
    assert neg.stdout.split() == ["node/n2", "node/n3"]
    fld = srv.kubectl("get", "nodes", "--field-selector", "metadata.name=n2", "-o", "name")
    assert fld.stdout.split() == ["node/n2"]


def test_label_and_unlabel(srv):
    rv0 = int(node_json(srv, "n1")["metadata"]["resourceVersion"])
    assert "labeled" in srv.kubectl("label", "node", "n1", "topo=leaf1").stdout
    n = node_json(srv, "n1")
    assert n["metadata"]["labels"]["topo"] == "leaf1"
    assert int(n["metadata"]["resourceVersion"]) > rv0
    # Overwriting needs --overwrite, as with a real server (kubectl checks the current object).
    again = srv.kubectl("label", "node", "n1", "topo=leaf2", check=False)
    assert again.returncode != 0
    srv.kubectl("label", "node", "n1", "topo=leaf2", "--overwrite")
    assert node_json(srv, "n1")["metadata"]["labels"]["topo"] == "leaf2"
    srv.kubectl("label", "node", "n1", "topo-")
    assert "topo" not in node_json(srv, "n1")["metadata"]["labels"]


def test_label_with_stale_resource_version_conflicts(srv):
    r = srv.kubectl("label", "node", "n1", "x=1", "--resource-version=1", check=False)
    assert r.returncode != 0
    assert "the object has been modified" in r.stderr
    assert srv.stats()["conflicts"] >= 1


def test_taint_add_and_remove(srv):
    srv.kubectl("taint", "node", "n2", "kubeslurm.io/unhealthy=gpu.memory:NoSchedule")
    srv.kubectl("taint", "node", "n2", "other=x:NoExecute")
    taints = node_json(srv, "n2")["spec"]["taints"]
    assert {(t["key"], t.get("value"), t["effect"]) for t in taints} == {
        ("kubeslurm.io/unhealthy", "gpu.memory", "NoSchedule"), ("other", "x", "NoExecute")}
    srv.kubectl("taint", "node", "n2", "kubeslurm.io/unhealthy:NoSchedule-")
    taints = node_json(srv, "n2")["spec"]["taints"]
    assert [t["key"] for t in taints] == ["other"]


def test_cordon_uncordon(srv):
    assert "cordoned" in srv.kubectl("cordon", "n3").stdout
    assert node_json(srv, "n3")["spec"]["unschedulable"] is True
    sel = srv.kubectl("get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name")
    assert sel.stdout.split() == ["node/n3"]
    assert "uncordoned" in srv.kubectl("uncordon", "n3").stdout
    assert not node_json(srv, "n3")["spec"].get("unschedulable")


def test_patch_types_and_status_conditions(srv):
    srv.kubectl("patch", "node", "n1", "-p", '{"metadata":{"labels":{"a":"1"}}}')
    srv.kubectl("patch", "node", "n1", "--type=merge", "-p", '{"metadata":{"labels":{"b":"2"}}}')
    srv.kubectl("patch", "node", "n1", "--type=json",
                "-p", '[{"op":"add","path":"/metadata/labels/c","value":"3"}]')
    labels = node_json(srv, "n1")["metadata"]["labels"]
    assert (labels["a"], labels["b"], labels["c"]) == ("1", "2", "3")
    # Conditions merge by type on /status: Ready stays, the new one is added, then updated.
    cond = {"type": "GPUHealthCheckFailed", "status": "True", "reason": "gpu.memory",
            "message": "ECC"}
    srv.kubectl("patch", "node", "n1", "--subresource=status",
                "-p", json.dumps({"status": {"conditions": [cond]}}))
    conds = {c["type"]: c for c in node_json(srv, "n1")["status"]["conditions"]}
    assert conds["Ready"]["status"] == "True"
    assert conds["GPUHealthCheckFailed"]["reason"] == "gpu.memory"
    cond["status"] = "False"
    srv.kubectl("patch", "node", "n1", "--subresource=status",
                "-p", json.dumps({"status": {"conditions": [cond]}}))
    conds = {c["type"]: c for c in node_json(srv, "n1")["status"]["conditions"]}
    assert conds["GPUHealthCheckFailed"]["status"] == "False" and len(conds) == 2
    # The main resource ignores status changes, like a real server.
    srv.kubectl("patch", "node", "n1", "-p", '{"status":{"conditions":[{"type":"X","status":"True"}]}}')
    assert "X" not in {c["type"] for c in node_json(srv, "n1")["status"]["conditions"]}


def _read_lines(proc, want, timeout):
    """Lines from proc.stdout until `want(lines)` or timeout."""
    lines, buf = [], ""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline and not want(lines):
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            chunk = os.read(fd, 65536).decode()
            if not chunk:
                break
            buf += chunk
            *done, buf = buf.split("\n")
            lines += [l for l in done if l]
    return lines


def test_get_watch_table_output(srv):
    p = srv.kubectl_popen("get", "nodes", "-w")
    try:
        lines = _read_lines(p, lambda l: len(l) >= 4, 15)
        assert [l.split()[:2] for l in lines] == [["NAME", "STATUS"], ["n1", "Ready"],
                                                  ["n2", "Ready"], ["n3", "Ready"]]
        srv.cordon("n1")
        more = _read_lines(p, lambda l: len(l) >= 1, 15)
        assert [l.split()[:2] for l in more] == [["n1", "Ready,SchedulingDisabled"]]
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_get_watch_sees_a_change(srv):
    p = srv.kubectl_popen("get", "node", "n2", "-w", "-o",
                          "jsonpath={.metadata.name}={.metadata.labels.state}{\"\\n\"}")
    try:
        first = _read_lines(p, lambda l: len(l) >= 1, 15)
        assert first == ["n2="]
        srv.set_labels("n2", {"state": "drained"})
        srv.set_labels("n1", {"state": "other"})  # filtered out by the field selector
        lines = _read_lines(p, lambda l: len(l) >= 1, 15)
        assert lines == ["n2=drained"]
    finally:
        p.terminate()
        p.wait(timeout=10)


def test_auth_401_and_read_only_403(srv):
    bad = srv.kubectl("get", "nodes", token="wrong", check=False)
    assert bad.returncode != 0 and "must be logged in" in bad.stderr
    ro = srv.tokens["reader"]
    assert srv.kubectl("get", "nodes", "-o", "name", token=ro).stdout.split()[0] == "node/n1"
    denied = srv.kubectl("label", "node", "n1", "x=1", token=ro, check=False)
    assert denied.returncode != 0 and "Forbidden" in denied.stderr
    status, _ = srv.request("POST", "/_test/compact", token=srv.tokens["writer"])
    assert status == 403


def test_kubectl_verifies_the_test_ca(srv, tmp_path):
    cfg = srv.kubeconfig(name="kc-inline", ca_inline=True)
    env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(tmp_path))
    import subprocess
    ok = subprocess.run([KUBECTL, "get", "nodes", "-o", "name"], env=env, capture_output=True,
                        text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    text = cfg.read_text().replace("certificate-authority-data:", "certificate-authority-data-x:")
    cfg.write_text(text)
    bad = subprocess.run([KUBECTL, "get", "nodes"], env=env, capture_output=True, text=True,
                         timeout=30)
    assert bad.returncode != 0 and "certificate" in bad.stderr


def test_pods_in_namespaces(srv):
    srv.add_pod("slurm", "slurmd-0", node_name="n1", hostname="gpu1",
                labels={"app.kubernetes.io/component": "slurmd"})
    srv.add_pod("slurm", "other", node_name="n2", labels={"app": "x"})
    srv.add_pod("default", "slurmd-9", node_name="n3",
                labels={"app.kubernetes.io/component": "slurmd"})
    sel = srv.kubectl("get", "pods", "-n", "slurm", "-l", "app.kubernetes.io/component=slurmd",
                      "-o", "jsonpath={range .items[*]}{.metadata.name}:{.spec.hostname}:"
                      "{.spec.nodeName}{\"\\n\"}{end}")
    assert sel.stdout.split() == ["slurmd-0:gpu1:n1"]
    table = [l.split() for l in srv.kubectl("get", "pods", "-n", "slurm").stdout.splitlines()]
    assert table == [["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
                     ["other", "1/1", "Running", "0", table[1][4]],
                     ["slurmd-0", "1/1", "Running", "0", table[2][4]]]
    every = srv.kubectl("get", "pods", "-A", "-o", "name").stdout.split()
    assert sorted(every) == ["pod/other", "pod/slurmd-0", "pod/slurmd-9"]
    on_n2 = srv.kubectl("get", "pods", "-A", "--field-selector", "spec.nodeName=n2", "-o", "name")
    assert on_n2.stdout.split() == ["pod/other"]
    srv.kubectl("label", "pod", "-n", "slurm", "slurmd-0", "ready=yes")
    pod = json.loads(srv.kubectl("get", "pod", "-n", "slurm", "slurmd-0", "-o", "json").stdout)
    assert pod["metadata"]["labels"]["ready"] == "yes"
    assert srv.kubectl("get", "pod", "-n", "default", "slurmd-0", check=False).returncode != 0


def test_kubectl_with_client_certificate(srv):
    cfg = srv.kubeconfig(name="kc-cert", client_cert=True)
    import subprocess
    env = dict(os.environ, KUBECONFIG=str(cfg), HOME=str(srv.workdir))
    r = subprocess.run([KUBECTL, "label", "node", "n1", "by=cert"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert node_json(srv, "n1")["metadata"]["labels"]["by"] == "cert"
