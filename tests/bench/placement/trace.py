"""A seeded job trace shaped like a GPU cluster's mix: many 1-node jobs, fewer multi-node jobs,
a tail of jobs that need up to two NVLink domains. Sizes and durations are drawn independently
of any placement policy."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass

# (share of jobs, smallest, largest node count): fractions of a typical GPU cluster's job mix
# (most jobs are single-node fine-tuning/inference, a long tail of multi-node training).
SIZE_CLASSES = [
    (0.40, 1, 1),
    (0.22, 2, 4),
    (0.18, 5, 9),
    (0.12, 10, 18),
    (0.08, 19, 36),
]


@dataclass
class Job:
    index: int
    nodes: int
    seconds: float
    limit_min: int = 5  # the job's time limit (--time), whole minutes as Slurm takes them
    arrival_s: float = 0.0  # when it is submitted, seconds after the first job


def make_trace(seed: int, count: int, min_s: float, max_s: float,
               limit_factor: tuple[float, float] | None = None,
               arrivals_s: float = 0.0) -> list[Job]:
    """limit_factor (lo, hi): each job's time limit is its run time times a factor drawn
    uniformly from [lo, hi], rounded up to whole minutes, as users overestimate; None keeps the
    uninformative 5 minutes. arrivals_s > 0: jobs arrive as a Poisson process whose mean gap
    spreads them over about that many seconds; 0 submits them all at once. The factors and the
    gaps come from generators of their own, so sizes and run times are the same trace either way."""
    rng = random.Random(seed)
    limits = random.Random(seed + 1)
    gaps = random.Random(seed + 2)
    clock = 0.0
    jobs = []
    for i in range(count):
        r, acc = rng.random(), 0.0
        for share, lo, hi in SIZE_CLASSES:
            acc += share
            if r <= acc:
                break
        nodes = rng.randint(lo, hi)
        # Log-uniform durations: many short jobs, some long ones.
        seconds = min_s * (max_s / min_s) ** rng.random()
        job = Job(i, nodes, round(seconds, 1))
        if limit_factor:
            job.limit_min = max(1, math.ceil(job.seconds * limits.uniform(*limit_factor) / 60))
        if arrivals_s > 0 and i > 0:
            clock += gaps.expovariate(count / arrivals_s)
        job.arrival_s = round(clock, 2)
        jobs.append(job)
    return jobs
