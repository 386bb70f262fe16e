"""The product route to a job's policy: `sbatch --topology=…` of spank_kubeslurm.so sets
SPANK_KUBESLURM_TOPOLOGY, and select/cons_tres_topo in slurmctld reads it. Skips when the SPANK
plugin is not built."""
import pathlib
import sys
import time

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "bench" / "placement"))

from topo_cluster import Layout, job_nodes, span, write_atomic  # noqa: E402

LAYOUT = Layout({
    "d1": ("leaf1", [f"n{i}" for i in range(1, 9)]),    # 8
    "d2": ("leaf1", [f"n{i}" for i in range(9, 13)]),   # 4
})


def test_sbatch_topology_option_reaches_the_select_plugin(cluster_factory, build_dir, tmp_path):
    spank = build_dir / "plugins" / "spank_kubeslurm.so"
    select = build_dir / "plugins" / "select_cons_tres_topo.so"
    if not spank.exists() or not select.exists():
        pytest.skip(f"needs {spank.name} and {select.name} in {build_dir / 'plugins'}")
    topo_file = tmp_path / "topology.json"
    write_atomic(topo_file, LAYOUT.to_json())
    conf = tmp_path / "kubeslurm.conf"
    conf.write_text(f"TopologyFile={topo_file}\nTopologyPolicy=prefer\nGpuCheck=off\n"
                    "AllowCheckOff=yes\n")
    c = cluster_factory(nodes=12, cpus=1, memory_mb=500, select_type="select/cons_tres_topo",
                        plugin_dirs=[str(build_dir / "plugins")], plugstack=[f"optional {spank}"],
                        env={"KUBESLURM_CONF": str(conf)})
    # 10 nodes never fit one domain: prefer spans two, block pends with our reason.
    wide = c.sbatch(["-N10", "--exclusive", "--topology=prefer"], "#!/bin/sh\nsleep 600\n")
    c.wait_job(wide, timeout=60, states=("RUNNING",))
    assert len(span(LAYOUT, job_nodes(c, wide))[0]) == 2
    c.run(["scancel", str(wide)])
    c.wait_nodes_idle(timeout=60)
    strict = c.sbatch(["-N10", "--exclusive", "--topology=block"], "#!/bin/sh\nsleep 600\n")
    # The plugin's words are the job's SystemComment= on every Slurm (since 23.02 slurmctld
    # replaces a select plugin's pending reason with Resources), and its reason on 22.05.
    said = ""
    for _ in range(60):
        info = c.job(strict)
        assert info["JobState"] == "PENDING", info
        said = info.get("SystemComment", "")
        if said.startswith("kubeslurm:"):
            break
        time.sleep(0.5)
    assert said == "kubeslurm: no NVLink domain has 10 usable nodes (largest 8)", info
    if c.run(["scontrol", "--version"]).stdout.split()[-1] < "23.02":
        assert info.get("Reason") == said.replace(" ", "_"), info  # scontrol's spelling
