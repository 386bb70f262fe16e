"""tests/bench/placement/trace.py: the seeded trace, with and without informative time limits,
submitted at once or arriving over time."""
import math
import pathlib
import sys

import pytest

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run_bench  # noqa: E402
from trace import make_trace  # noqa: E402


def test_default_limits_are_five_minutes():
    assert {job.limit_min for job in make_trace(7, 200, 2, 12)} == {5}


def test_limit_factor_keeps_the_trace_and_bounds_each_limit():
    plain = make_trace(7, 200, 20, 120)
    limited = make_trace(7, 200, 20, 120, (1.5, 3))
    assert [(j.nodes, j.seconds) for j in limited] == [(j.nodes, j.seconds) for j in plain]
    for job in limited:
        # Never under 1.5 x the run time, never over 3 x it rounded up to whole minutes.
        assert isinstance(job.limit_min, int)
        assert job.limit_min * 60 >= 1.5 * job.seconds
        assert job.limit_min <= math.ceil(3 * job.seconds / 60)
    assert len({j.limit_min for j in limited}) > 3  # the limits carry information
    assert make_trace(7, 200, 20, 120, (1.5, 3)) == limited  # seeded


def test_jobs_arrive_at_once_by_default():
    assert {job.arrival_s for job in make_trace(7, 200, 2, 12)} == {0.0}


def test_arrivals_keep_the_trace_and_spread_it_over_the_window():
    plain = make_trace(7, 300, 2, 12)
    arriving = make_trace(7, 300, 2, 12, None, 90)
    assert [(j.nodes, j.seconds) for j in arriving] == [(j.nodes, j.seconds) for j in plain]
    times = [j.arrival_s for j in arriving]
    assert times[0] == 0 and times == sorted(times)
    assert 60 < times[-1] < 120  # a Poisson process of mean gap 90/300 s: about 90 s in all
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert 0.2 < sum(gaps) / len(gaps) < 0.4
    assert make_trace(7, 300, 2, 12, None, 90) == arriving  # seeded


@pytest.mark.parametrize("text, expected", [("1:3", (1.0, 3.0)), ("2", (2.0, 2.0))])
def test_limit_factor_option_parses(text, expected):
    assert run_bench.factor_range(text) == expected


@pytest.mark.parametrize("text", ["0.5:2", "3:2", "x:2", ""])
def test_limit_factor_option_rejects_limits_below_the_run_time(text):
    with pytest.raises(Exception, match="LO"):
        run_bench.factor_range(text)


@pytest.mark.parametrize("name, expected", [
    ("prefer", ("prefer", "")), ("prefer:6i0", ("prefer:6i0", "")),
    ("any+tree", ("any", "tree")), ("stock+bare", ("stock", "bare")), ("prefer:4+bare", ("prefer:4", "bare")),
    ("stock+block", ("stock", "block"))])
def test_configuration_names_parse(name, expected):
    assert run_bench.configuration(name) == expected


@pytest.mark.parametrize("name, why", [
    ("prefr", "unknown configuration"), ("prefer+wide", "unknown suffix"), ("block+bare", "SPANK"),
    ("prefer+block", "stock Slurm's topology/block"),
    ("prefer:x", "expected prefer:N"), ("prefer:6iy", "expected prefer:N"), ("stock:6", "expected stock:N")])
def test_configuration_names_are_checked_before_anything_runs(name, why):
    with pytest.raises(ValueError, match=why):
        run_bench.configuration(name)


@pytest.mark.parametrize("bf_interval, expected", [
    (30, "bf_interval=30,bf_resolution=60,sched_interval=60"),
    (2, "bf_interval=2,bf_resolution=4,sched_interval=4"),
    (1, "bf_interval=1,bf_resolution=2,sched_interval=2")])
def test_slurm_time_parameters_scale_with_bf_interval(bf_interval, expected):
    args = type("Args", (), {"bf_interval": bf_interval, "jobs": 100})()
    assert expected in run_bench.sched_params(args)
    assert run_bench.scaled_max_wait(args) == max(1, round(run_bench.key_default("TopologyMaxWait") * bf_interval / 30))
