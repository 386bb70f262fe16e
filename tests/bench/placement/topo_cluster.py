"""Shared by tests/integration/test_select_*.py and the placement benchmark: a topology.json
writer, a tiny SPANK plugin that puts a placement policy into the job's SPANK environment, and
helpers that tell which domains and leaves a job's nodes span."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
from dataclasses import dataclass

# The SPANK plugin engineer P ships (spank_kubeslurm.so, option --topology) is the product route
# to SPANK_KUBESLURM_TOPOLOGY. These tests must not depend on it (it also runs health checks), so
# they build this stand-in: `sbatch --ks-test-topology=POLICY` sets the same job variable through
# spank_job_control_setenv(), which is what reaches job_ptr->spank_job_env in slurmctld.
TEST_SPANK_SOURCE = r"""
#include <stdlib.h>
#include <string.h>
#include <slurm/spank.h>

SPANK_PLUGIN(ks_test_topology, 1);

static char *policy;

static int take_policy(int val, const char *optarg, int remote)
{
	free(policy);
	policy = optarg ? strdup(optarg) : NULL;
	return 0;
}

static struct spank_option option = {
	"ks-test-topology", "POLICY", "test: placement policy for select/cons_tres_topo", 1, 0,
	take_policy
};

/* sbatch (allocator context) ignores static option tables: register explicitly. */
int slurm_spank_init(spank_t sp, int ac, char **av)
{
	return spank_option_register(sp, &option) == ESPANK_SUCCESS ? 0 : -1;
}

int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	if (spank_context() == S_CTX_ALLOCATOR && policy)
		return spank_job_control_setenv(sp, "KUBESLURM_TOPOLOGY", policy, 1) ==
		       ESPANK_SUCCESS ? 0 : -1;
	return 0;
}
"""


def build_test_spank(out_dir: pathlib.Path) -> pathlib.Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "ks_test_topology.c"
    so = out_dir / "ks_test_topology.so"
    src.write_text(TEST_SPANK_SOURCE)
    # The headers of the Slurm under test (KUBESLURM_SLURM_PREFIX, set by the Makefile) before the
    # compiler's default path, where Debian 12's 22.05 is: slurmd refuses a SPANK plugin built for
    # another major.minor.
    prefix = os.environ.get("KUBESLURM_SLURM_PREFIX", "/usr")
    include = [] if prefix == "/usr" else ["-I", f"{prefix}/include"]
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-Wall", *include, "-o", str(so), str(src)],
                   check=True, capture_output=True, text=True)
    return so


@dataclass
class Layout:
    """domain name -> (leaf name, node names); nodes absent from every domain have no topology."""
    domains: dict[str, tuple[str, list[str]]]

    def node_domain(self) -> dict[str, str]:
        return {n: d for d, (_, nodes) in self.domains.items() for n in nodes}

    def node_leaf(self) -> dict[str, str]:
        return {n: leaf for _, (leaf, nodes) in self.domains.items() for n in nodes}

    def sizes(self) -> dict[str, int]:
        return {d: len(nodes) for d, (_, nodes) in self.domains.items()}

    def to_json(self, extra_nodes: list[dict] | None = None) -> str:
        nodes = [{"name": n, "domain": d, "tiers": [leaf, "spine1"]}
                 for d, (leaf, names) in self.domains.items() for n in names]
        nodes += extra_nodes or []
        return json.dumps({"version": 1, "nodes": nodes}, indent=1) + "\n"

    def tree_conf(self) -> str:
        """Slurm topology/tree form of the same layout (one switch per domain under its leaf)."""
        leaves: dict[str, list[str]] = {}
        lines = []
        for d, (leaf, names) in self.domains.items():
            lines.append(f"SwitchName={d} Nodes={','.join(names)}")
            leaves.setdefault(leaf, []).append(d)
        for leaf, doms in leaves.items():
            lines.append(f"SwitchName={leaf} Switches={','.join(doms)}")
        lines.append(f"SwitchName=spine1 Switches={','.join(leaves)}")
        return "\n".join(lines) + "\n"


def write_atomic(path: pathlib.Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def expand(cluster, hostlist: str) -> list[str]:
    if not hostlist or hostlist in ("(null)", "None"):
        return []
    r = cluster.run(["scontrol", "show", "hostnames", hostlist])
    return r.stdout.split()


def expand_hostlist(expr: str) -> list[str]:
    """n[1-3,7],n10 -> names (numeric ranges only, which is all this benchmark uses)."""
    out = []
    for m in re.finditer(r"([a-z]+)(?:\[([^\]]+)\]|(\d+))", expr):
        prefix, ranges, single = m.groups()
        if single:
            out.append(prefix + single)
            continue
        for part in ranges.split(","):
            lo, _, hi = part.partition("-")
            out += [f"{prefix}{i}" for i in range(int(lo), int(hi or lo) + 1)]
    return out


def job_nodes(cluster, jobid: int) -> list[str]:
    return expand(cluster, cluster.job(jobid).get("NodeList", ""))


def span(layout: Layout, nodes: list[str]) -> tuple[set[str], set[str]]:
    """(domains, leaves) spanned; a node without topology counts as its own domain and leaf."""
    dom, leaf = layout.node_domain(), layout.node_leaf()
    return ({dom.get(n, n) for n in nodes}, {leaf.get(n, n) for n in nodes})


def fewest_to_hold(counts, count: int) -> int | None:
    """Fewest of these per-domain node counts that together reach `count`; None if all do not."""
    total = 0
    for used, size in enumerate(sorted(counts, reverse=True)):
        if total >= count:
            return used
        total += size
    return len(counts) if total >= count else None


def min_domains(layout: Layout, count: int) -> int:
    """Fewest domains that can hold `count` nodes when everything is free."""
    fewest = fewest_to_hold(list(layout.sizes().values()), count)
    return -1 if fewest is None else fewest
