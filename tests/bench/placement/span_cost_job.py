#!/usr/bin/python3
"""The job script of `run_bench.py --span-cost COST`: a job that runs SECONDS, longer by COST x
SECONDS for every NVLink domain its nodes span beyond the fewest that could hold it, as a job
whose collectives cross racks (about 50 GB/s per GPU of network instead of 1.8 TB/s of NVLink)
runs longer. It reads its nodes from SLURM_JOB_NODELIST and prints the run time it takes.

  span_cost_job.py SECONDS FEWEST COST DOMAINS_JSON   (DOMAINS_JSON: {"node": "domain", ...})
"""
from __future__ import annotations

import json
import os
import pathlib
import sys
import time

from topo_cluster import expand_hostlist


def stretched_seconds(seconds: float, fewest: int, cost: float, spanned: int) -> float:
    return seconds * (1 + cost * max(0, spanned - fewest))


def main(argv: list[str]) -> int:
    if len(argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    seconds, fewest, cost = float(argv[1]), int(argv[2]), float(argv[3])
    domain_of = json.loads(pathlib.Path(argv[4]).read_text())
    nodes = expand_hostlist(os.environ.get("SLURM_JOB_NODELIST", ""))
    if not nodes:
        print("span_cost_job.py: SLURM_JOB_NODELIST is empty: not run as a Slurm job",
              file=sys.stderr)
        return 2
    spanned = len({domain_of.get(n, n) for n in nodes})
    run_for = stretched_seconds(seconds, fewest, cost, spanned)
    print(f"{len(nodes)} nodes in {spanned} domain(s), fewest {fewest}: {run_for:.2f} s", flush=True)
    time.sleep(run_for)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
