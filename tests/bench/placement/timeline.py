#!/usr/bin/python3
"""Where a bench-placement run lost time: reads the job records that
`run_bench.py --records DIR` writes (one JSON file per configuration and round) and prints,
per file, when the small jobs ran out, how idle the cluster was in each half of the run, and
why nodes stood idle: sampled each second, were they free while a queued job fitted its fewest
NVLink domains on them (held for another job's reservation or wait, or the scheduler's own
latency), while queued jobs fitted only across more domains, or while no queued job fitted?
And which jobs the span ratio's excess over 1 comes from: those that fit one domain and spilled,
or larger ones spread over more domains than they need. And how long jobs headed the queue with
enough free nodes anywhere: the time a topology wait adds to the queue's progress.

  usage: timeline.py DIR/stock-1.json DIR/prefer-1.json ...

A scheduler that lets 1-node jobs overtake bigger ones uses its filler early; the second half of
its run then holds only jobs of many nodes, which pack worse (more idle node-seconds there).
Stock Slurm never leaves "only wider" idle: it does not care about domains.
"""
from __future__ import annotations

import collections
import json
import math
import pathlib
import statistics
import sys

from run_bench import DOMAIN_SIZES, layout, parse_time
from topo_cluster import expand_hostlist, fewest_to_hold, min_domains, span

BIG = 16  # "big" jobs for the median start: most of an NVLink domain or more


def idle_by_cause(jobs: list[tuple[list[str], float, float, float]], makespan: float) -> str:
    """jobs: (node names, submit, start, end) in seconds from the first submission."""
    topo = layout()
    domain_of = topo.node_domain()
    minimum = {size: min_domains(topo, size) for size in range(len(domain_of) + 1)}
    fits, wider, none = 0, 0, 0
    for t in range(int(makespan)):
        busy = {n for nodes, _, start, end in jobs if start <= t < end for n in nodes}
        free_per_domain = collections.Counter(d for n, d in domain_of.items() if n not in busy)
        idle = sum(free_per_domain.values())
        queued = [len(nodes) for nodes, submit, start, _ in jobs if submit <= t < start]
        spans = [fewest_to_hold(list(free_per_domain.values()), size) for size in queued]
        if any(s is not None and s <= minimum.get(size, -1) for s, size in zip(spans, queued)):
            fits += idle
        elif any(s is not None for s in spans):
            wider += idle
        else:
            none += idle
    return (f"idle node-s sampled each second: {fits} while a queued job fitted its fewest "
            f"domains, {wider} while queued jobs fitted only wider, {none} while none fitted")


def span_excess(placed: list[tuple[list[str], float, float, float]]) -> str:
    """The span ratio (multi-node jobs) split by class: jobs that fit one domain, larger jobs."""
    topo = layout()
    multi = [nodes for nodes, *_ in placed if len(nodes) > 1]
    if not multi:
        return "no multi-node jobs"
    parts = []
    for fits_one in (True, False):
        ratios = [len(span(topo, nodes)[0]) / min_domains(topo, len(nodes)) for nodes in multi
                  if (len(nodes) <= max(DOMAIN_SIZES)) == fits_one]
        parts.append((sum(r - 1 for r in ratios) / len(multi), sum(r > 1 for r in ratios), len(ratios)))
    (one, one_wider, one_jobs), (larger, larger_wider, larger_jobs) = parts
    return (f"span ratio {1 + one + larger:.3f} = 1 + {one:.3f} from {one_wider} of {one_jobs} "
            f"jobs that fit one domain + {larger:.3f} from {larger_wider} of {larger_jobs} larger jobs")


def head_of_queue(placed: list[tuple[list[str], float, float, float]]) -> str:
    """placed: in submission order. The jobs have equal priority, so the first job not yet
    started heads the queue: how long jobs headed it, and, sampled each second, for how long
    the head had enough free nodes anywhere (stock Slurm starts it then, less its latency; a
    topology wait holds it for its fewest domains)."""
    nodes_total = sum(DOMAIN_SIZES)
    heads, seconds, could_start, last_start = 0, 0.0, 0, 0.0
    for nodes, submit, start, _ in placed:
        since = max(submit, last_start)
        last_start = max(last_start, start)
        if start <= since:
            continue  # started before it reached the head (it overtook)
        heads += 1
        seconds += start - since
        for t in range(math.ceil(since), math.ceil(start)):
            busy = sum(len(n) for n, _, s, e in placed if s <= t < e)
            could_start += nodes_total - busy >= len(nodes)
    return (f"queue head: {heads} jobs headed the queue for {seconds:.0f} s, {could_start} s of "
            f"it with enough free nodes anywhere")


def timeline(path: pathlib.Path) -> str:
    records = json.loads(path.read_text())
    if not records:
        return f"{path}: no records"
    records.sort(key=lambda r: (parse_time(r["submit"]), r["job"]))  # submission order
    t0 = min(parse_time(r["submit"]) for r in records)
    placed = [(expand_hostlist(r["nodes"] or ""), parse_time(r["submit"]) - t0,
               parse_time(r["start"]) - t0, parse_time(r["end"]) - t0) for r in records]
    jobs = [(len(nodes), start, end) for nodes, _, start, end in placed]
    makespan = max(end for _, _, end in jobs)
    one = sorted(start for size, start, _ in jobs if size == 1)
    big = [start for size, start, _ in jobs if size >= BIG]
    half = makespan / 2
    capacity = sum(DOMAIN_SIZES)

    def idle(lo: float, hi: float) -> float:
        used = sum(size * max(0.0, min(end, hi) - max(start, lo)) for size, start, end in jobs)
        return capacity * (hi - lo) - used

    last_one = f"{one[-1]:.0f} s" if one else "-"
    big_median = f"{statistics.median(big):.0f} s" if big else "-"
    return (f"{path.name}: makespan {makespan:.0f} s, last 1-node job started at {last_one}, "
            f"median start of >={BIG}-node jobs {big_median}, idle node-s "
            f"{idle(0, half):.0f} + {idle(half, makespan):.0f} (1st + 2nd half)\n"
            f"  {idle_by_cause(placed, makespan)}\n"
            f"  {span_excess(placed)}\n"
            f"  {head_of_queue(placed)}")


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    for name in argv:
        path = pathlib.Path(name)
        if not path.is_file():
            print(f"timeline: {name}: no such file", file=sys.stderr)
            return 1
        print(timeline(path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
