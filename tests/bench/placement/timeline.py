#!/usr/bin/env python3
"""Where a bench-placement run lost time: reads the job records that
`run_bench.py --records DIR` writes (one JSON file per configuration and round) and prints,
per file, when the small jobs ran out and how idle the cluster was in each half of the run.

  usage: timeline.py DIR/stock-1.json DIR/prefer-1.json ...

A scheduler that lets 1-node jobs overtake bigger ones uses its filler early; the second half of
its run then holds only jobs of many nodes, which pack worse (more idle node-seconds there).
"""
from __future__ import annotations

import json
import pathlib
import statistics
import sys

from run_bench import DOMAIN_SIZES, expand_hostlist, parse_time

BIG = 16  # "big" jobs for the median start: most of an NVLink domain or more


def timeline(path: pathlib.Path) -> str:
    records = json.loads(path.read_text())
    if not records:
        return f"{path}: no records"
    t0 = min(parse_time(r["submit"]) for r in records)
    jobs = [(len(expand_hostlist(r["nodes"] or "")), parse_time(r["start"]) - t0,
             parse_time(r["end"]) - t0) for r in records]
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
            f"{idle(0, half):.0f} + {idle(half, makespan):.0f} (1st + 2nd half)")


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
