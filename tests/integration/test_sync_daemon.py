"""kubeslurm-sync on a real local Slurm cluster and the Kubernetes API test server: cordon,
NotReady and taints drain; recovery resumes only our own drains; admins' drains are never
touched; health-gate drains reach Kubernetes; GPU product -> features; topology labels ->
topology.json; faults converge; restarts are idempotent; only the leader acts."""
import json
import os
import signal
import time

import pytest

from k8sserver import k8s_server, k8s_server_factory  # noqa: F401  (fixtures)
from syncd import kinds, metric_sum, sync_fixtures, write_conf

NODES = ["n1", "n2", "n3", "n4"]
OWN = "kubeslurm: k8s: "
PRODUCT = "nvidia.com/gpu.product"


cluster, env = sync_fixtures(NODES)


def test_cordon_drains_within_a_second_and_uncordon_resumes(env):
    d = env.daemon()
    t0 = time.time()
    env.server.cordon("n2")
    a = d.wait_action(lambda a: a["action"] == "drain" and a["slurm_node"] == "n2", timeout=5)
    assert a["t"] - t0 < 1.0, f"drain took {a['t'] - t0:.3f} s"
    env.wait_slurm(lambda: env.drained("n2"))
    assert env.reason("n2") == OWN + "cordoned"
    assert not env.drained("n1")

    t0 = time.time()
    env.server.cordon("n2", on=False)
    a = d.wait_action(lambda a: a["action"] == "resume" and a["slurm_node"] == "n2", timeout=5)
    assert a["t"] - t0 < 1.0
    env.wait_slurm(lambda: not env.drained("n2"))
    assert len(kinds(d.actions(), "drain")) == 1 and len(kinds(d.actions(), "resume")) == 1


def test_notready_and_configured_taints_drain(env):
    d = env.daemon(DrainTaints="example.com/maintenance")
    env.server.set_ready("n3", False)
    env.wait_slurm(lambda: env.drained("n3") and env.reason("n3") == OWN + "NotReady")
    env.server.patch_node("n4", {"spec": {"taints": [{"key": "example.com/other", "effect": "NoSchedule"}]}})
    env.server.patch_node("n1", {"spec": {"taints": [{"key": "example.com/maintenance", "value": "x",
                                                       "effect": "NoSchedule"}]}})
    env.wait_slurm(lambda: env.drained("n1") and env.reason("n1") == OWN + "taint example.com/maintenance")
    time.sleep(0.6)
    assert not env.drained("n4"), "a taint not in DrainTaints must not drain"

    env.server.set_ready("n3", True)
    env.server.patch_node("n1", {"spec": {"taints": None}})
    env.wait_slurm(lambda: not env.drained("n3") and not env.drained("n1"))
    assert len(kinds(d.actions(), "drain")) == 2


def test_admin_drain_is_never_resumed(env):
    env.scontrol("nodename=n3", "state=drain", "reason=bad DIMM ticket 42")
    d = env.daemon()
    env.server.cordon("n3")
    env.server.cordon("n1")
    env.wait_slurm(lambda: env.drained("n1"))
    env.server.cordon("n3", on=False)
    env.server.cordon("n1", on=False)
    env.wait_slurm(lambda: not env.drained("n1"))
    time.sleep(1.0)  # several poll intervals
    assert env.drained("n3")
    assert env.reason("n3") == "bad DIMM ticket 42"
    assert not [a for a in d.actions() if a["slurm_node"] == "n3"]


def test_health_gate_drain_sets_condition_and_taint_resume_clears(env):
    env.daemon()
    env.scontrol("nodename=n1", "state=drain", "reason=kubeslurm: gpu.hbm_bandwidth: 1200 < 2500 GB/s")

    def unhealthy():
        n = env.server.get_node("n1")
        conds = {c["type"]: c for c in n["status"].get("conditions", [])}
        taints = {t["key"]: t for t in n["spec"].get("taints") or []}
        c, t = conds.get("GPUHealthCheckFailed"), taints.get("kubeslurm.io/unhealthy")
        return c and t and (c, t)

    c, t = env.server.wait_for(unhealthy, timeout=10)
    assert c["status"] == "True" and c["reason"] == "gpu.hbm_bandwidth"
    assert c["message"] == "1200 < 2500 GB/s"
    assert t["value"] == "gpu.hbm_bandwidth" and t["effect"] == "NoSchedule"
    assert env.drained("n1"), "the health gate's drain is not ours to resume"

    env.scontrol("nodename=n1", "state=resume")

    def cleared():
        n = env.server.get_node("n1")
        conds = {c["type"]: c for c in n["status"].get("conditions", [])}
        taints = [x for x in n["spec"].get("taints") or [] if x["key"] == "kubeslurm.io/unhealthy"]
        return conds["GPUHealthCheckFailed"]["status"] == "False" and not taints

    env.server.wait_for(cleared, timeout=10)


def test_gpu_product_label_becomes_a_feature(env):
    d = env.daemon()
    env.server.set_labels("n2", {PRODUCT: "NVIDIA H100 80GB HBM3"})
    env.wait_slurm(lambda: env.node("n2").get("AvailableFeatures") == "gpu_NVIDIA_H100_80GB_HBM3")
    env.server.set_labels("n2", {PRODUCT: "NVIDIA B200"})
    env.wait_slurm(lambda: env.node("n2").get("AvailableFeatures") == "gpu_NVIDIA_B200")
    assert env.node("n2").get("ActiveFeatures") == "gpu_NVIDIA_B200"
    job = env.cluster.sbatch(["-N1", "--constraint=gpu_NVIDIA_B200"], "#!/bin/sh\nhostname\n")
    info = env.cluster.wait_job(job, timeout=30)
    assert info["NodeList"] == "n2"
    assert len(kinds(d.actions(), "features", "n2")) == 2


def test_topology_labels_reach_topology_json_only_on_change(env):
    topo = env.dir / "topology.json"
    conf_file = env.dir / "topology.conf"
    d = env.daemon(TopologyConfFile=str(conf_file))
    env.server.wait_for(lambda: topo.exists(), timeout=10)
    for n, dom in zip(NODES, ["c1.0", "c1.0", "c1.1", "c1.1"]):
        env.server.set_labels(n, {"nvidia.com/gpu.clique": dom})

    def domains():
        nodes = json.loads(topo.read_text())["nodes"]
        return {n["name"]: n.get("domain", "") for n in nodes}

    env.server.wait_for(lambda: domains() == {"n1": "c1.0", "n2": "c1.0", "n3": "c1.1", "n4": "c1.1"}, timeout=10)
    env.server.wait_for(lambda: "Nodes=n[3-4]" in conf_file.read_text(), timeout=5)
    assert "Nodes=n[1-2]" in conf_file.read_text()
    # Let writes that were already queued finish (they coalesce; unchanged content is not rewritten).
    writes = -1
    while writes != d.metrics()["kubeslurm_sync_topology_writes_total"]:
        writes = d.metrics()["kubeslurm_sync_topology_writes_total"]
        time.sleep(0.5)
    mtime = topo.stat().st_mtime_ns
    env.server.set_labels("n1", {"unrelated": "x"})
    env.server.cordon("n4")  # an event that is not about topology
    env.wait_slurm(lambda: env.drained("n4"))
    time.sleep(0.5)
    assert topo.stat().st_mtime_ns == mtime
    assert d.metrics()["kubeslurm_sync_topology_writes_total"] == writes


def test_dropped_watch_410_429_and_500_converge_without_duplicates(env):
    d = env.daemon()
    s = env.server
    # Faults hit the daemon's next list/watch requests (GET); the test's own PATCHes pass.
    s.inject(status=429, count=4, retry_after=0.2, method="GET")
    s.drop_watches()
    s.cordon("n1")
    env.wait_slurm(lambda: env.drained("n1"), timeout=20)
    s.inject(status=500, count=4, method="GET")
    s.drop_watches()
    s.cordon("n2")
    env.wait_slurm(lambda: env.drained("n2"), timeout=20)
    # A re-watch from a resourceVersion older than the compaction gets 410 and relists. Compacting
    # at once expires the daemon's cursor only by chance (lease renewals move the head, bookmarks
    # move the cursor to it every second), so hold its re-watches off (two failed watches, each
    # followed by a backoff of >= 0.64 s) while nodes change and the history is compacted.
    s.inject(status=500, count=2, method="GET", watch=True)
    s.drop_watches()
    s.cordon("n1", on=False)
    s.cordon("n3")
    s.compact()
    env.wait_slurm(lambda: not env.drained("n1") and env.drained("n3"), timeout=30)
    s.inject(drop=True, count=2, method="GET")
    s.drop_watches()
    s.set_ready("n4", False)
    env.wait_slurm(lambda: env.drained("n4"), timeout=20)
    # Writes to Kubernetes lose their connection twice and are retried: one condition, one taint.
    s.inject(drop=True, count=2, method="PATCH")
    env.scontrol("nodename=n1", "state=drain", "reason=kubeslurm: gpu.ecc: 3 uncorrectable errors")
    s.wait_for(lambda: any(t["key"] == "kubeslurm.io/unhealthy" for t in s.get_node("n1")["spec"].get("taints") or []),
               timeout=20)
    time.sleep(1.0)
    acts = d.actions()
    assert [a["slurm_node"] for a in kinds(acts, "drain")] == ["n1", "n2", "n3", "n4"], acts
    assert [a["slurm_node"] for a in kinds(acts, "resume")] == ["n1"], acts
    assert len(kinds(acts, "condition", "n1")) == 1 and len(kinds(acts, "taint", "n1")) == 1, acts
    m = d.metrics()
    assert m["kubeslurm_sync_relists_total"] >= 1
    assert (m['kubeslurm_sync_drains_total{cause="cordoned"}'], m['kubeslurm_sync_drains_total{cause="not_ready"}'],
            m['kubeslurm_sync_drains_total{cause="health_check"}']) == (3, 1, 1)
    assert s.stats()["faultsServed"] >= 12


def test_restart_mid_way_is_idempotent(env):
    d = env.daemon()
    env.server.cordon("n2")
    env.scontrol("nodename=n3", "state=drain", "reason=kubeslurm: gpu.xid: Xid 79")
    env.server.wait_for(lambda: any(t["key"] == "kubeslurm.io/unhealthy"
                                    for t in env.server.get_node("n3")["spec"].get("taints") or []))
    env.wait_slurm(lambda: env.drained("n2"))
    d.stop()
    before = len(d.actions())
    # Changes while no daemon runs are picked up by the next one, exactly once.
    env.server.cordon("n4")
    d2 = env.daemon("sync")
    env.wait_slurm(lambda: env.drained("n4"))
    time.sleep(1.0)
    new = d2.actions()[before:]
    assert [(a["action"], a["slurm_node"]) for a in new] == [("drain", "n4")], new
    r = env.once("--dry-run")
    assert r.returncode == 0, r.stderr
    assert "would " not in r.stdout, r.stdout


def test_once_dry_run_prints_and_changes_nothing(env):
    env.server.cordon("n1")
    env.server.set_labels("n2", {PRODUCT: "NVIDIA A100"})
    r = env.once("--dry-run")
    assert r.returncode == 0, r.stderr
    assert f"would slurm: drain n1 reason='{OWN}cordoned'" in r.stdout
    assert "would slurm: features n2 'gpu_NVIDIA_A100'" in r.stdout
    assert not env.drained("n1")
    assert not (env.dir / "topology.json").exists()
    r = env.once()
    assert r.returncode == 0, r.stderr
    assert env.drained("n1") and (env.dir / "topology.json").exists()


def test_two_replicas_only_the_leader_acts(env):
    a = env.daemon("a")
    a.wait_log(r"acquired lease", 10)
    b = env.daemon("b")
    time.sleep(1.0)
    assert a.metrics()["kubeslurm_sync_leader"] == 1
    assert b.metrics()["kubeslurm_sync_leader"] == 0
    env.server.cordon("n2")
    env.wait_slurm(lambda: env.drained("n2"))
    time.sleep(1.0)
    assert len(kinds(a.actions(), "drain")) == 1 and not b.actions()

    a.stop()  # releases the lease: b takes over at once
    b.wait_log(r"acquired lease", 10)
    env.server.cordon("n3")
    env.wait_slurm(lambda: env.drained("n3"))
    assert [x["slurm_node"] for x in kinds(b.actions(), "drain")] == ["n3"]


def test_killed_leader_is_replaced_after_the_lease_expires(env):
    a = env.daemon("a")
    a.wait_log(r"acquired lease", 10)
    b = env.daemon("b")
    a.stop(sig=signal.SIGKILL)
    t0 = time.monotonic()
    b.wait_log(r"acquired lease", 15)
    assert time.monotonic() - t0 >= 1.5, "the standby must wait for the lease to expire"
    env.server.cordon("n1")
    env.wait_slurm(lambda: env.drained("n1"))


def test_metrics_healthz_sighup_and_sigterm(env):
    conf = env.conf("reload.conf")
    d = env.daemon(conf=conf)
    # Healthy once the informers are synced and Slurm has answered a poll.
    env.server.wait_for(lambda: d.get("/healthz") == (200, "ok\n"), timeout=5)
    env.server.cordon("n1")
    env.wait_slurm(lambda: env.drained("n1"))
    m = d.metrics()
    for key in ("kubeslurm_sync_events_total", "kubeslurm_sync_relists_total", "kubeslurm_sync_api_errors_total",
                'kubeslurm_sync_drains_total{cause="cordoned"}', "kubeslurm_sync_event_lag_seconds_count"):
        assert key in m, key
    assert metric_sum(m, "kubeslurm_sync_drains_total") == 1 and m["kubeslurm_sync_events_total"] >= 1

    # A taint that does not drain yet; SIGHUP with DrainTaints set makes it drain.
    env.server.patch_node("n2", {"spec": {"taints": [{"key": "example.com/maint", "effect": "NoSchedule"}]}})
    time.sleep(0.6)
    assert not env.drained("n2")
    write_conf(conf, env.server.kubeconfig(), env.dir, DrainTaints="example.com/maint")
    d.signal(signal.SIGHUP)
    d.wait_log(r"configuration reloaded", 5)
    env.wait_slurm(lambda: env.drained("n2"))
    assert d.stop() == 0
    assert "stopped" in d.log()


def test_pod_mapping_drains_every_slurm_node_on_the_kubernetes_node(env):
    s = env.server
    s.add_nodes(["k-a", "k-b"])
    sel = {"app.kubernetes.io/component": "slurmd"}
    for pod, host, node in (("slurmd-0", "n1", "k-a"), ("slurmd-1", "n2", "k-a"), ("slurmd-2", "n3", "k-b")):
        s.add_pod("slurm", pod, node_name=node, hostname=host, labels=sel)
    s.add_pod("slurm", "other", node_name="k-b", hostname="n4", labels={"app": "x"})
    env.daemon(NodeMapping="pod", PodNamespace="slurm")
    s.cordon("k-a")
    env.wait_slurm(lambda: env.drained("n1") and env.drained("n2"))
    assert not env.drained("n3") and not env.drained("n4")
    s.cordon("k-b")
    env.wait_slurm(lambda: env.drained("n3"))
    time.sleep(0.6)
    assert not env.drained("n4"), "a pod outside the selector maps nothing"


def test_once_fails_clearly_when_topology_cannot_be_written(env):
    target = env.dir / "missing-dir" / "topology.json"
    r = env.once(TopologyFile=str(target))
    assert r.returncode == 1, r.stderr
    assert str(target) in r.stderr, r.stderr
    r = env.once("--bogus")
    assert r.returncode == 64 and "unknown argument '--bogus'" in r.stderr
