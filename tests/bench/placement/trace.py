"""A seeded job trace shaped like a GPU cluster's mix: many 1-node jobs, fewer multi-node jobs,
a tail of jobs that need up to two NVLink domains. Sizes and durations are drawn independently
of any placement policy."""
from __future__ import annotations

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


def make_trace(seed: int, count: int, min_s: float, max_s: float) -> list[Job]:
    rng = random.Random(seed)
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
        jobs.append(Job(i, nodes, round(seconds, 1)))
    return jobs
