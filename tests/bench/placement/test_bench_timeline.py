"""tests/bench/placement/timeline.py on hand-made job records with known figures."""
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "integration"))  # slurmcluster, imported, not run

import slurmcluster  # noqa: E402
import timeline  # noqa: E402


def record(job, nodes, start, end):
    at = lambda s: f"2026-01-01T00:00:{s:02d}"  # noqa: E731
    return {"job": job, "nodes": nodes, "submit": at(0), "start": at(start), "end": at(end)}


def test_timeline_reports_filler_big_jobs_and_idle_per_half(tmp_path):
    path = tmp_path / "prefer-1.json"
    path.write_text(json.dumps([
        record(1, "n[1-64]", 0, 10),   # big
        record(2, "n65", 0, 4),        # the only 1-node job
        record(3, "n[65-80]", 4, 10),  # big
    ]))
    line = timeline.timeline(path).splitlines()[0]
    # 128 nodes: 0-5 s uses 64*5 + 4 + 16 = 340 of 640 node-s; 5-10 s 64*5 + 16*5 = 400.
    assert line == ("prefer-1.json: makespan 10 s, last 1-node job started at 0 s, median start "
                    "of >=16-node jobs 2 s, idle node-s 300 + 240 (1st + 2nd half)")


def test_timeline_tells_why_nodes_stood_idle(tmp_path):
    # The bench's layout: nvl7 = n98-n113 (16 nodes), nvl8 = n114-n128 (15).
    path = tmp_path / "prefer-1.json"
    path.write_text(json.dumps([
        record(1, "n[1-110]", 0, 4),
        record(2, "n[111-112]", 2, 4),   # 2 nodes: fit nvl8 alone while queued (t 0-1)
        record(3, "n[113-128]", 4, 5),   # 16 nodes: one domain of 16+ exists, but at t 2-3 the
    ]))                                  # 16 free nodes span nvl7 (1) and nvl8 (15)
    cause = timeline.timeline(path).splitlines()[1]
    # t 0-1: 18 free, job 2 fits its one domain; t 2-3: 16 free, job 3 fits only across two;
    # t 4: 112 free and nothing queued.
    assert cause == ("  idle node-s sampled each second: 36 while a queued job fitted its fewest "
                     "domains, 32 while queued jobs fitted only wider, 112 while none fitted")


def test_timeline_splits_the_span_ratio_by_job_class(tmp_path):
    # nvl1 = n1-n18, nvl2 = n19-n34, nvl3 = n35-n49, nvl4 = n50-n62.
    path = tmp_path / "prefer-1.json"
    path.write_text(json.dumps([
        record(1, "n1", 0, 1),               # one node: not in the span ratio
        record(2, "n[1-2]", 1, 2),           # one domain, as it should
        record(3, "n[18-19]", 2, 3),         # fits one, got two: + 1
        record(4, "n[1-20]", 3, 4),          # needs two, got two
        record(5, "n[1-18,35,50]", 4, 5),    # needs two, got three: + 0.5
    ]))
    excess = timeline.timeline(path).splitlines()[2]
    assert excess == ("  span ratio 1.375 = 1 + 0.250 from 1 of 2 jobs that fit one domain "
                      "+ 0.125 from 1 of 2 larger jobs")


def test_timeline_times_the_head_of_the_queue(tmp_path):
    path = tmp_path / "prefer-1.json"
    path.write_text(json.dumps([
        record(4, "n4", 11, 12),        # overtakes job 3: never heads the queue
        record(1, "n[1-128]", 0, 10),   # starts at once: never waits at the head
        record(2, "n[1-2]", 10, 20),    # heads the queue 0-10 s, nothing free
        record(3, "n3", 13, 14),        # heads it 10-13 s with 126 free: could have started
    ]))
    head = timeline.timeline(path).splitlines()[3]
    assert head == ("  queue head: 2 jobs headed the queue for 13 s, 3 s of it with enough free "
                    "nodes anywhere")


def test_importing_the_benchmark_leaves_the_test_cluster_tag_alone():
    # run_bench tags its clusters as benchmark ones only when it runs; the clusters of the tests
    # after this one must keep the tag that this session's final sweep looks for.
    assert slurmcluster.TAG == "KUBESLURM_TEST_CLUSTER"


def test_timeline_rejects_a_missing_file(tmp_path, capsys):
    assert timeline.main([str(tmp_path / "none.json")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert timeline.main([]) == 2
