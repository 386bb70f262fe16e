"""The return-to-service gate on a real local Slurm cluster whose plugstack runs spank_kubeslurm
and the real kubeslurm-gpucheck, with kubeslurm-sync and the Kubernetes API test server (driven
with kubectl): a node kubeslurm drained, or that Kubernetes hands back, is checked through Slurm
(a job of kubeslurm-sync's own in a MAINT reservation) before it takes jobs; it returns on pass,
stays drained with the failing check's figure and threshold on fail; an admin's drain is never
touched; bad requests change nothing (docs/sync.md, "Return-to-service gate")."""
import json
import os
import pathlib
import random
import re
import time

import pytest

from k8sserver import k8s_server, k8s_server_factory  # noqa: F401  (fixtures)
from slurmcluster import SlurmCluster
from syncd import metric_sum, sync_fixtures

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
NODES = ["n1", "n2", "n3"]
ANNOTATION = "kubeslurm.io/return-check"
RESERVATION = "kubeslurm-return-"


def gate_cluster(build_dir: pathlib.Path) -> SlurmCluster:
    """Three nodes gated by spank_kubeslurm (required, as docs/spank.md recommends); a site
    threshold only n3 cannot meet plants a real failure of a real check there."""
    plugin, checker = build_dir / "plugins" / "spank_kubeslurm.so", build_dir / "bin" / "kubeslurm-gpucheck"
    for path in (plugin, checker):
        if not path.exists():
            pytest.fail(f"{path} is not built")
    c = SlurmCluster(nodes=len(NODES), cpus=2, memory_mb=1000, prolog_flags="Alloc,DeferBatch",
                     prolog_timeout=60, cred_expire=10, extra_conf=["SchedulerParameters=nohold_on_prolog_fail"])
    site = c.dir / "site-thresholds.conf"
    site.write_text('[default]\nhost.membw.min_gbps = 0.01\n[node "n3"]\nhost.membw.min_gbps = 100000\n')
    ports = random.randrange(20000, 59000)
    conf = c.dir / "kubeslurm-gate.conf"
    conf.write_text(f"CheckerPath={checker}\nGateStateDir={c.dir / 'gate-state'}\n"
                    f"ThresholdsDir={SOURCE_DIR / 'src' / 'health' / 'thresholds.d'}\n"
                    f"SiteThresholdsFile={site}\nRendezvousPorts={ports}-{ports + 999}\n")
    c.plugstack = [f"required {plugin} conf={conf}"]
    return c


cluster, env = sync_fixtures(NODES, gate_cluster)


def daemon(env, **keys):
    return env.daemon(ReturnCheckLevel="quick", ReturnCheckTimeout="60", **keys)


def events(server, node, reason):
    out = server.kubectl("get", "events", "-n", "default", "--field-selector",
                         f"involvedObject.name={node},reason={reason}", "-o", "json").stdout
    return json.loads(out)["items"]


def wait_event(server, node, reason, timeout=60):
    return server.wait_for(lambda: (events(server, node, reason) or [None])[0], timeout=timeout)


def reservations(env):
    out = env.cluster.run(["scontrol", "-o", "show", "reservation"], check=False).stdout
    return re.findall(r"ReservationName=(\S+)", out)


def annotations(server, node):
    return server.get_node(node)["metadata"].get("annotations") or {}


def test_node_that_passes_its_recheck_returns_before_any_user_job_lands(env):
    d = daemon(env)
    s = env.server
    s.cordon("n2")
    env.wait_slurm(lambda: env.drained("n2"))
    s.cordon("n2", on=False)
    started = wait_event(s, "n2", "ReturnCheckStarted", timeout=10)
    check_job = int(started["metadata"]["annotations"]["kubeslurm.io/job"])
    assert started["metadata"]["annotations"]["kubeslurm.io/level"] == "quick"
    # A user job pinned to n2 right away: the reservation keeps it off until the check is done.
    user_job = env.cluster.sbatch(["-w", "n2"], "#!/bin/sh\ntrue\n")
    passed = wait_event(s, "n2", "ReturnCheckPassed")
    assert "back in service" in passed["message"]
    assert not env.drained("n2")
    check, user = env.cluster.job(check_job), env.cluster.wait_job(user_job)
    assert check["JobState"] == "COMPLETED" and check["JobName"] == "kubeslurm-return-check", check
    assert user["JobState"] == "COMPLETED", user
    assert user["StartTime"] >= check["EndTime"], (check, user)
    assert f"job {check_job} on n2: level quick: pass" in env.cluster.log("slurmd-n2"), "the gate must have run"
    assert reservations(env) == []
    m = d.metrics()
    assert m['kubeslurm_sync_return_checks_total{result="pass"}'] == 1
    assert m['kubeslurm_sync_resumes_total{cause="return_check"}'] == 1
    assert metric_sum(m, "kubeslurm_sync_resumes_total", cause="kubernetes") == 0
    assert m['kubeslurm_sync_node_verdict{node="n2",verdict="pass"}'] == 1
    assert m["kubeslurm_sync_return_check_duration_seconds_count"] == 1


def test_node_that_fails_its_recheck_stays_drained_with_the_new_reason(env):
    d = daemon(env)
    s = env.server
    s.cordon("n3")
    env.wait_slurm(lambda: env.drained("n3"))
    s.cordon("n3", on=False)
    failed = wait_event(s, "n3", "ReturnCheckFailed")
    ann = failed["metadata"]["annotations"]
    assert (ann["kubeslurm.io/check"], ann["kubeslurm.io/threshold"], ann["kubeslurm.io/unit"]) == \
        ("host.membw", "100000", "GB/s"), ann
    assert env.drained("n3")
    assert re.match(r"kubeslurm: host\.membw: [\d.]+ < 100000 GB/s$", env.reason("n3")), env.reason("n3")
    job_id = int(ann["kubeslurm.io/job"])
    env.wait_slurm(lambda: env.cluster.job(job_id)["JobState"] == "CANCELLED", what=f"job {job_id} cancelled")
    assert reservations(env) == []
    # Kubernetes sees it unhealthy, as for any gate drain.
    s.wait_for(lambda: (s.get_node("n3")["spec"].get("taints") or [{}])[0].get("value") == "host.membw", timeout=10)
    m = d.metrics()
    assert m['kubeslurm_sync_return_checks_total{result="fail"}'] == 1
    assert m['kubeslurm_sync_node_verdict{node="n3",verdict="fail"}'] == 1
    assert m['kubeslurm_sync_node_check_threshold{node="n3",check="host.membw",unit="GB/s"}'] == 100000
    # It stays out: no new check starts by itself.
    time.sleep(1.5)
    assert len(events(s, "n3", "ReturnCheckStarted")) == 1 and env.drained("n3")


def test_admin_drained_node_is_untouched_and_bad_requests_change_nothing(env):
    daemon(env)
    s = env.server
    env.scontrol("nodename=n1", "state=drain", "reason=bad DIMM ticket 42")
    s.kubectl("annotate", "node", "n1", f"{ANNOTATION}=yes")
    refused = wait_event(s, "n1", "ReturnCheckRefused", timeout=10)
    assert "drained by an admin (reason 'bad DIMM ticket 42'): left alone" in refused["message"]
    s.cordon("n1")
    s.cordon("n1", on=False)
    # An unknown level on a node kubeslurm drained: refused, the node stays as it is.
    s.cordon("n2")
    env.wait_slurm(lambda: env.drained("n2"))
    s.kubectl("annotate", "node", "n2", f"{ANNOTATION}=thorough")
    s.cordon("n2", on=False)
    bad = wait_event(s, "n2", "ReturnCheckRefused", timeout=10)
    assert "return-check=thorough: unknown level, expected one of quick|nccl|full" in bad["message"]
    time.sleep(1.0)
    assert env.drained("n1") and env.reason("n1") == "bad DIMM ticket 42"
    assert env.drained("n2") and env.reason("n2") == "kubeslurm: k8s: cordoned"
    assert reservations(env) == [] and env.cluster.run(["squeue", "-h"]).stdout.strip() == ""
    assert events(s, "n1", "ReturnCheckStarted") == [] and events(s, "n2", "ReturnCheckStarted") == []
    assert len(events(s, "n1", "ReturnCheckRefused")) == 1, "told once, not every pass"


def test_gate_drained_node_handed_back_with_the_annotation_returns(env):
    daemon(env)
    s = env.server
    env.scontrol("nodename=n2", "state=drain", "reason=kubeslurm: host.membw: 0.001 < 0.01 GB/s")
    wait_event(s, "n2", "HealthCheckFailed", timeout=10)
    s.kubectl("annotate", "node", "n2", f"{ANNOTATION}=yes")
    wait_event(s, "n2", "ReturnCheckPassed")
    assert not env.drained("n2")
    s.wait_for(lambda: ANNOTATION not in annotations(s, "n2"), timeout=5)
    s.wait_for(lambda: not s.get_node("n2")["spec"].get("taints"), timeout=10)
    time.sleep(1.0)
    assert len(events(s, "n2", "ReturnCheckStarted")) == 1, "an answered request starts no second check"
    assert reservations(env) == []


def test_check_interrupted_by_a_restart_is_taken_up_again(env):
    s = env.server
    # A user job holds n2, so the check job waits in the reservation while the daemon dies.
    busy = env.cluster.sbatch(["-w", "n2", "--exclusive"], "#!/bin/sh\nsleep 60\n")
    env.wait_slurm(lambda: env.cluster.job(busy)["JobState"] == "RUNNING")
    first = daemon(env, name="first")
    s.cordon("n2")
    env.wait_slurm(lambda: env.drained("n2"))
    s.cordon("n2", on=False)
    old_job = int(wait_event(s, "n2", "ReturnCheckStarted", timeout=10)["metadata"]["annotations"]["kubeslurm.io/job"])
    first.stop(sig=9)
    assert reservations(env) == [RESERVATION + "n2"]

    second = daemon(env, name="second")
    second.wait_log(r"return check of n2 interrupted", timeout=10)
    new = second.wait_log(r"return check of n2 started: job (\d+)", timeout=10)
    assert int(new.group(1)) != old_job
    env.wait_slurm(lambda: env.cluster.job(old_job)["JobState"] == "CANCELLED", what=f"job {old_job} cancelled")
    assert reservations(env) == [RESERVATION + "n2"]
    env.cluster.run(["scancel", str(busy)])
    wait_event(s, "n2", "ReturnCheckPassed")
    assert not env.drained("n2") and reservations(env) == []


def test_replaced_node_is_checked_before_it_takes_jobs(env):
    daemon(env)
    s = env.server
    s.patch_node_status("n1", {"status": {"nodeInfo": {"bootID": "boot-1"}}})
    time.sleep(0.5)
    s.patch_node_status("n1", {"status": {"nodeInfo": {"bootID": "boot-2"}}})
    started = wait_event(s, "n1", "ReturnCheckStarted", timeout=10)
    assert "(replaced)" in started["message"] or "replaced" in started["message"], started["message"]
    wait_event(s, "n1", "ReturnCheckPassed")
    s.wait_for(lambda: ANNOTATION not in annotations(s, "n1"), timeout=5)
    assert not env.drained("n1")


@pytest.fixture(autouse=True)
def no_leftovers(env):
    """Each test starts without jobs or return-check reservations of another."""
    yield
    env.stop_all()
    env.cluster.run(["scancel", "--quiet", f"--user={os.getuid()}"], check=False)
    for name in reservations(env):
        env.cluster.run(["scontrol", "delete", f"reservationname={name}"], check=False)
