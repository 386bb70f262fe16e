"""The ks::k8s client (through kubeslurm-k8s-probe) against the Kubernetes API test server:
pagination, watch with bookmarks, 410 -> relist, 409 retry, 429/500/dropped connections, TLS,
tokens, QPS budget, leases, informer."""
import concurrent.futures
import json
import os
import pathlib
import shutil
import subprocess
import time

import pytest

from k8sserver import (K8sTestServer, k8s_server, k8s_server_factory, make_test_pki,  # noqa: F401
                       server_binary)


def probe_binary() -> pathlib.Path:
    return server_binary().parent / "kubeslurm-k8s-probe"


pytestmark = [
    pytest.mark.skipif(not server_binary().exists() or not probe_binary().exists(),
                       reason="test server / probe not built"),
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI missing"),
]


class Probe:
    def __init__(self, srv: K8sTestServer, kubeconfig=None, extra=()):
        self.srv = srv
        self.kubeconfig = kubeconfig or srv.kubeconfig()
        self.extra = list(extra)

    def args(self, *a, global_opts=()):
        return [str(probe_binary()), "--kubeconfig", str(self.kubeconfig), *global_opts,
                *self.extra, *a]

    def run(self, *a, global_opts=(), timeout=60, expect_ok=True):
        r = subprocess.run(self.args(*a, global_opts=global_opts), capture_output=True,
                           text=True, timeout=timeout)
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.strip()]
        if expect_ok:
            assert r.returncode == 0, (r.stdout, r.stderr)
        return lines[-1] if len(lines) == 1 else lines

    def popen(self, *a, global_opts=()):
        return subprocess.Popen(self.args(*a, global_opts=global_opts), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)


@pytest.fixture
def srv(k8s_server):
    k8s_server.add_nodes([f"n{i:02d}" for i in range(1, 26)],
                         labels_of=lambda n: {"rack": "a" if int(n[1:]) <= 10 else "b"})
    return k8s_server


@pytest.fixture
def probe(srv):
    return Probe(srv)


def test_paginated_list_gets_every_node_once(probe):
    out = probe.run("list", "/api/v1/nodes", "--limit", "10")
    assert out["count"] == 25 and out["pages"] == 3
    assert out["names"] == [f"n{i:02d}" for i in range(1, 26)]
    assert int(out["resourceVersion"]) == probe.srv.resource_version()
    sel = probe.run("list", "/api/v1/nodes", "--limit", "4", "--selector", "rack=a")
    assert sel["count"] == 10 and sel["pages"] == 3
    one = probe.run("list", "/api/v1/nodes", "--fields", "metadata.name=n07")
    assert one["names"] == ["n07"]


def test_list_continue_token_expires_after_compaction(srv, probe):
    status, page = srv.request("GET", "/api/v1/nodes?limit=5")
    assert status == 200 and page["metadata"]["continue"]
    srv.set_labels("n01", {"x": "1"})
    srv.compact()
    status, out = srv.request("GET", "/api/v1/nodes?limit=5&continue=" + page["metadata"]["continue"])
    assert status == 410 and out["reason"] == "Expired"


def test_watch_streams_changes_and_bookmarks(srv, probe):
    srv.request("POST", "/_test/settings", {"bookmarkIntervalMs": 300})
    rv = srv.resource_version()
    p = probe.popen("watch", "/api/v1/nodes", "--rv", str(rv), "--timeout", "2")
    time.sleep(0.4)
    srv.set_labels("n02", {"state": "x"})
    srv.cordon("n03")
    srv.delete_node("n04")
    out, err = p.communicate(timeout=30)
    events = [json.loads(l) for l in out.splitlines()]
    changes = [(e["type"], e["name"]) for e in events if "type" in e and e["type"] != "BOOKMARK"]
    assert changes == [("MODIFIED", "n02"), ("MODIFIED", "n03"), ("DELETED", "n04")]
    bookmarks = [e for e in events if e.get("type") == "BOOKMARK"]
    assert bookmarks, "no BOOKMARK in 2 s with a 300 ms interval"
    end = events[-1]
    assert end["end"] == "closed" and end["events"] == 3  # bookmarks are not events
    assert int(end["rv"]) == srv.resource_version()  # the last bookmark carried the latest RV


def test_watch_from_compacted_rv_is_expired(srv, probe):
    rv = srv.resource_version()
    srv.set_labels("n01", {"x": "1"})
    srv.compact()
    out = probe.run("watch", "/api/v1/nodes", "--rv", str(rv), "--timeout", "5")
    assert out["end"] == "expired"  # ERROR event with code 410
    srv.inject(status=410, watch=True)
    out = probe.run("watch", "/api/v1/nodes", "--rv", str(srv.resource_version()), "--timeout", "5")
    assert out["end"] == "expired"  # HTTP 410


def test_refused_watch_reports_status_and_retry_after(srv, probe):
    srv.inject(status=429, retry_after=2, watch=True)
    out = probe.run("watch", "/api/v1/nodes", "--timeout", "5")
    assert out["end"] == "refused" and out["status"] == 429 and out["retryAfter"] == 2
    assert out["message"] == "injected fault"  # the server's Status message, for the log
    srv.inject(status=403, watch=True)  # not worth retrying: an error
    out = probe.run("watch", "/api/v1/nodes", "--timeout", "5", expect_ok=False)
    assert "HTTP 403" in out["error"]


def _informer_ops(out: str):
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def test_informer_relists_after_410_and_reports_each_change_once(srv, probe):
    p = probe.popen("inform", "/api/v1/nodes", "--seconds", "8", "--limit", "10")
    srv.wait_for(lambda: srv.stats()["watches"] >= 1, timeout=15)
    # Cut the watch and keep the informer away (two failed re-watches: ~2.4 s of backoff)
    # while the world changes and the history is compacted.
    srv.inject(status=500, count=2, watch=True)
    srv.drop_watches()
    srv.set_labels("n02", {"state": "changed"})
    srv.delete_node("n03")
    srv.add_node("n99")
    srv.compact()
    out, err = p.communicate(timeout=40)
    ops = _informer_ops(out)
    stats = ops[-1]
    assert stats["op"] == "stats"
    assert stats["relists"] >= 1, err
    assert stats["count"] == 25
    adds = [o["name"] for o in ops if o["op"] == "add"]
    assert sorted(adds) == sorted([f"n{i:02d}" for i in range(1, 26)] + ["n99"])  # no duplicate
    assert [o["name"] for o in ops if o["op"] == "delete"] == ["n03"]
    updates = [o for o in ops if o["op"] == "update"]
    assert [u["name"] for u in updates] == ["n02"]
    assert updates[0]["labels"]["state"] == "changed"
    assert [o["first"] for o in ops if o["op"] == "synced"][:2] == [True, False]


def test_informer_rewatches_after_drop_without_relist(srv, probe):
    p = probe.popen("inform", "/api/v1/nodes", "--seconds", "5")
    srv.wait_for(lambda: srv.stats()["watches"] >= 1, timeout=15)
    srv.drop_watches()
    srv.set_labels("n05", {"state": "a"})
    srv.inject(drop=True, watch=True)  # the next watch is cut before any event as well
    srv.drop_watches()
    srv.set_labels("n05", {"state": "b"})
    out, err = p.communicate(timeout=30)
    ops = _informer_ops(out)
    stats = ops[-1]
    assert stats["relists"] == 0 and stats["watches"] >= 3, (stats, err)
    seen = [o["labels"].get("state") for o in ops if o["op"] == "update" and o["name"] == "n05"]
    assert seen == ["a", "b"]


def test_informer_waits_the_retry_after_of_a_refused_watch(srv, probe):
    p = probe.popen("inform", "/api/v1/nodes", "--seconds", "8")
    srv.wait_for(lambda: srv.stats()["watches"] >= 1, timeout=15)
    srv.inject(status=429, retry_after=3, watch=True)
    srv.drop_watches()
    srv.wait_for(lambda: srv.stats()["faultsServed"] >= 1, timeout=10)
    refused = time.monotonic()
    srv.wait_for(lambda: srv.stats()["watches"] >= 1, timeout=10)
    waited = time.monotonic() - refused
    srv.set_labels("n05", {"state": "after"})
    out, err = p.communicate(timeout=30)
    ops = _informer_ops(out)
    stats = ops[-1]
    assert waited >= 2.5, err  # the server's 3 s, not the informer's 0.8 s backoff
    assert stats["relists"] == 0 and stats["errors"] >= 1, (stats, err)
    assert [o["labels"].get("state") for o in ops if o["op"] == "update" and o["name"] == "n05"] \
        == ["after"]


def test_taint_read_modify_write_retries_on_409(srv, probe):
    srv.inject(status=409, method="PATCH", count=1)
    out = probe.run("taint", "n01", "kubeslurm.io/unhealthy=gpu.memory:NoSchedule")
    assert out["changed"] is True
    assert out["requests"] == 4  # GET, PATCH (409), GET, PATCH
    taints = srv.get_node("n01")["spec"]["taints"]
    assert taints == [{"key": "kubeslurm.io/unhealthy", "value": "gpu.memory", "effect": "NoSchedule"}]
    again = probe.run("taint", "n01", "kubeslurm.io/unhealthy=gpu.memory:NoSchedule")
    assert again["changed"] is False and again["requests"] == 1
    gone = probe.run("untaint", "n01", "kubeslurm.io/unhealthy")
    assert gone["changed"] is True
    assert not srv.get_node("n01")["spec"].get("taints")


def test_concurrent_taint_writers_lose_no_update(srv, probe):
    keys = [f"example.com/t{i}" for i in range(6)]
    with concurrent.futures.ThreadPoolExecutor(len(keys)) as pool:
        results = list(pool.map(lambda k: probe.run("taint", "n10", f"{k}=v:NoSchedule"), keys))
    assert all(r["changed"] for r in results)
    taints = srv.get_node("n10")["spec"]["taints"]
    assert sorted(t["key"] for t in taints) == keys


def test_condition_and_cordon(srv, probe):
    out = probe.run("condition", "n01", "GPUHealthCheckFailed", "True", "gpu.memory", "ECC errors")
    conds = {c["type"]: c for c in out["conditions"]}
    assert conds["Ready"]["status"] == "True"  # merged by type, not replaced
    assert conds["GPUHealthCheckFailed"]["message"] == "ECC errors"
    out = probe.run("condition", "n01", "GPUHealthCheckFailed", "False", "Recovered", "")
    assert [c["status"] for c in out["conditions"] if c["type"] == "GPUHealthCheckFailed"] == ["False"]
    assert probe.run("cordon", "n02")["unschedulable"] is True
    assert srv.get_node("n02")["spec"]["unschedulable"] is True
    assert probe.run("uncordon", "n02")["unschedulable"] is False


def test_429_honours_retry_after(srv, probe):
    srv.inject(status=429, count=2, retry_after=1)
    t0 = time.monotonic()
    out = probe.run("request", "GET", "/api/v1/nodes")
    elapsed = time.monotonic() - t0
    assert out["status"] == 200 and out["retries"] == 2
    assert elapsed >= 1.9  # waited the server's 1 s twice, not the 0.8 s backoff


def test_500_and_dropped_connections_recover(srv, probe):
    srv.inject(status=500, count=1)
    srv.inject(drop=True, count=1)
    out = probe.run("list", "/api/v1/nodes", "--limit", "10")
    assert out["count"] == 25 and out["retries"] == 2
    assert srv.stats()["faultsServed"] == 2


def test_retries_are_bounded(srv, probe):
    srv.inject(status=503, count=10)
    out = probe.run("request", "GET", "/api/v1/nodes", global_opts=("--retries", "2"))
    assert out["status"] == 503 and out["retries"] == 2
    srv.clear_faults()
    failed = probe.run("list", "/api/v1/nodes", expect_ok=False)
    assert "error" not in failed  # faults cleared: works again


def test_qps_budget_spaces_requests(srv):
    slow = Probe(srv, extra=())
    t0 = time.monotonic()
    out = slow.run("list", "/api/v1/nodes", "--limit", "3",
                   global_opts=("--qps", "5", "--burst", "2"))
    elapsed = time.monotonic() - t0
    assert out["pages"] == 9
    assert elapsed >= (9 - 2) / 5 * 0.9  # 7 requests beyond the burst at 5 per second


def test_tls_is_verified(srv, tmp_path):
    other = make_test_pki(tmp_path / "other")
    cfg = srv.kubeconfig(name="wrong-ca")
    cfg.write_text(cfg.read_text().replace(str(srv.ca_file), str(other["ca"])))
    wrong = Probe(srv, kubeconfig=cfg)
    out = wrong.run("list", "/api/v1/nodes", expect_ok=False)
    assert "certificate" in out["error"].lower() or "ssl" in out["error"].lower()
    assert wrong.run("--insecure", "list", "/api/v1/nodes")["count"] == 25  # explicit opt-out
    inline = Probe(srv, kubeconfig=srv.kubeconfig(name="inline", ca_inline=True))
    assert inline.run("list", "/api/v1/nodes")["count"] == 25


def test_tokens_401_403(srv):
    ro = Probe(srv, kubeconfig=srv.kubeconfig(token=srv.tokens["reader"], name="ro"))
    assert ro.run("list", "/api/v1/nodes")["count"] == 25
    denied = ro.run("label", "n01", "x=1", expect_ok=False)
    assert "403" in denied["error"]
    bad = Probe(srv, kubeconfig=srv.kubeconfig(token="nope", name="bad"))
    unauth = bad.run("list", "/api/v1/nodes", expect_ok=False)
    assert unauth["error"].startswith("401")


def test_leases(srv, probe):
    assert probe.run("lease-get", "kube-system", "kubeslurm-sync") == {"found": False}
    assert probe.run("lease-create", "kube-system", "kubeslurm-sync", "a")["ok"] is True
    assert probe.run("lease-create", "kube-system", "kubeslurm-sync", "b")["ok"] is False
    lease = probe.run("lease-get", "kube-system", "kubeslurm-sync")
    assert lease["holder"] == "a"
    rv = lease["resourceVersion"]
    assert probe.run("lease-update", "kube-system", "kubeslurm-sync", "b", rv)["ok"] is True
    # a second writer with the old RV loses
    assert probe.run("lease-update", "kube-system", "kubeslurm-sync", "c", rv)["ok"] is False
    assert probe.run("lease-get", "kube-system", "kubeslurm-sync")["holder"] == "b"


@pytest.mark.parametrize("inline", [False, True], ids=["files", "inline-data"])
def test_client_certificate_authentication(srv, inline):
    cfg = srv.kubeconfig(name=f"cert-{inline}", client_cert=True, ca_inline=inline)
    assert "token:" not in cfg.read_text()
    mtls = Probe(srv, kubeconfig=cfg)
    assert mtls.run("list", "/api/v1/nodes")["count"] == 25
    assert mtls.run("label", "n01", "via=cert")["labels"]["via"] == "cert"  # CN has write rights
    status, _ = srv.request("POST", "/_test/compact", token="x")
    assert status == 401


def test_token_file_is_reread(srv, tmp_path):
    """Bound service account tokens rotate: the client re-reads tokenFile (here every second)."""
    token_file = tmp_path / "token"
    token_file.write_text(srv.tokens["reader"] + "\n")
    cfg = srv.kubeconfig(name="tokfile")
    cfg.write_text(cfg.read_text().replace(f"token: {srv.tokens['writer']}",
                                           f"tokenFile: {token_file}"))
    p = Probe(srv, kubeconfig=cfg).popen("label-loop", "n01", "round", "12", "0.25",
                                         global_opts=("--token-reload", "1"))
    first = p.stdout.readline()  # rotate only once the old token has been used (a slow start)
    token_file.write_text(srv.tokens["writer"] + "\n")
    out, err = p.communicate(timeout=60)
    results = [json.loads(l) for l in (first + out).splitlines()]
    assert results[0]["ok"] is False and "403" in results[0]["error"]  # read-only token
    assert results[-1]["ok"] is True, results  # the rotated token was picked up
    assert srv.get_node("n01")["metadata"]["labels"]["round"] == "11"
