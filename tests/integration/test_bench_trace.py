"""tests/bench/placement/trace.py: the seeded trace, with and without informative time limits."""
import math
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench" / "placement"))

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


@pytest.mark.parametrize("text, expected", [("1:3", (1.0, 3.0)), ("2", (2.0, 2.0))])
def test_limit_factor_option_parses(text, expected):
    assert run_bench.factor_range(text) == expected


@pytest.mark.parametrize("text", ["0.5:2", "3:2", "x:2", ""])
def test_limit_factor_option_rejects_limits_below_the_run_time(text):
    with pytest.raises(Exception, match="LO"):
        run_bench.factor_range(text)
