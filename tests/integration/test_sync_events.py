"""kubeslurm-sync tells each verdict as a Kubernetes Event on the node (read back with the real
kubectl from the API test server) and in /metrics: drains and resumes by cause, the last verdict
per node with the deciding figure and threshold (docs/sync.md, "Events" and "Metrics")."""
import json
import time

import pytest

from k8sserver import k8s_server, k8s_server_factory  # noqa: F401  (fixtures)
from syncd import metric_sum, sync_fixtures

NODES = ["n1", "n2", "n3"]


cluster, env = sync_fixtures(NODES)


def events(server, node, reason=None):
    selector = f"involvedObject.kind=Node,involvedObject.name={node}" + (f",reason={reason}" if reason else "")
    out = server.kubectl("get", "events", "-n", "default", "--field-selector", selector, "-o", "json").stdout
    return json.loads(out)["items"]


def wait_event(server, node, reason):
    return server.wait_for(lambda: (events(server, node, reason) or [None])[0], timeout=10)


def test_drain_gate_verdict_and_resume_are_node_events_and_metrics(env):
    d = env.daemon()
    s = env.server

    s.cordon("n2")
    drained = wait_event(s, "n2", "SlurmNodeDrained")
    assert drained["type"] == "Warning"
    assert drained["message"] == "Slurm node n2 drained: cordoned"
    assert drained["involvedObject"]["kind"] == "Node" and drained["involvedObject"]["name"] == "n2"
    assert drained["metadata"]["annotations"]["kubeslurm.io/cause"] == "cordoned"
    assert drained["source"]["component"] == "kubeslurm-sync" and drained["reportingInstance"] == "sync"

    # The health gate's drain, worded as the gate words it (figure < threshold unit).
    env.scontrol("nodename=n3", "state=drain", "reason=kubeslurm: host.membw: 0.41 < 100000 GB/s")
    gate = wait_event(s, "n3", "HealthCheckFailed")
    assert gate["type"] == "Warning"
    assert gate["message"] == "Slurm node n3 drained by the health gate: host.membw: 0.41 < 100000 GB/s"
    ann = gate["metadata"]["annotations"]
    assert (ann["kubeslurm.io/check"], ann["kubeslurm.io/figure"], ann["kubeslurm.io/threshold"],
            ann["kubeslurm.io/unit"], ann["kubeslurm.io/slurm-node"]) == ("host.membw", "0.41", "100000", "GB/s", "n3")

    s.cordon("n2", on=False)
    resumed = wait_event(s, "n2", "SlurmNodeResumed")
    assert resumed["type"] == "Normal"

    # kubectl's own views: the events table and `describe node` (which searches all namespaces
    # by the node's reference, uid = node name as kubelet sets it).
    table = s.kubectl("get", "events", "-n", "default").stdout
    assert "LAST SEEN" in table and "REASON" in table, table
    assert "node/n3" in table and "HealthCheckFailed" in table, table
    described = s.kubectl("describe", "node", "n2").stdout
    assert "SlurmNodeDrained" in described and "SlurmNodeResumed" in described, described
    # An admin's drain is no verdict of kubeslurm's: no Event.
    env.scontrol("nodename=n1", "state=drain", "reason=bad DIMM")
    time.sleep(1.0)  # five Slurm polls
    assert events(s, "n1") == []
    assert len(events(s, "n2")) == 2 and len(events(s, "n3")) == 1

    m = d.metrics()
    assert m['kubeslurm_sync_drains_total{cause="cordoned"}'] == 1
    assert m['kubeslurm_sync_drains_total{cause="health_check"}'] == 1
    assert m['kubeslurm_sync_resumes_total{cause="kubernetes"}'] == 1
    assert m['kubeslurm_sync_node_verdict{node="n3",verdict="fail"}'] == 1
    assert m['kubeslurm_sync_node_verdict{node="n3",verdict="pass"}'] == 0
    assert m['kubeslurm_sync_node_check_value{node="n3",check="host.membw",unit="GB/s"}'] == 0.41
    assert m['kubeslurm_sync_node_check_threshold{node="n3",check="host.membw",unit="GB/s"}'] == 100000
    assert m['kubeslurm_sync_node_verdict_timestamp_seconds{node="n3"}'] > 1.7e9
    assert m["kubeslurm_sync_kube_events_total"] == 3
    assert metric_sum(m, "kubeslurm_sync_kube_events_dropped_total") == 0


def test_events_are_refused_unless_valid_as_the_api_server_does(env):
    bad = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "n1.x", "namespace": "slurm"},
           "involvedObject": {"kind": "Node", "name": "n1"}, "reason": "X", "type": "Normal"}
    r = env.server.kubectl("create", "--validate=false", "-f", "-", input=json.dumps(bad), check=False)
    assert r.returncode != 0 and "does not match event.namespace" in r.stderr, r.stderr
    bad["metadata"]["namespace"] = "default"
    bad["type"] = "Error"
    r = env.server.kubectl("create", "--validate=false", "-f", "-", input=json.dumps(bad), check=False)
    assert r.returncode != 0 and "Unsupported value" in r.stderr, r.stderr
    bad["type"] = "Normal"
    env.server.kubectl("create", "--validate=false", "-f", "-", input=json.dumps(bad))
    assert [e["reason"] for e in events(env.server, "n1")] == ["X"]
