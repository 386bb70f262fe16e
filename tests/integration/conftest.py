"""Shared pytest fixtures for integration tests on a real local Slurm cluster."""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from slurmcluster import CREATED_DIRS, SlurmCluster, kill_tagged  # noqa: E402

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]
BUILD_DIR = pathlib.Path(os.environ.get("KUBESLURM_BUILD", SOURCE_DIR / "build" / "release"))


@pytest.fixture(scope="session")
def build_dir() -> pathlib.Path:
    return BUILD_DIR


@pytest.fixture
def topo_bin(build_dir):
    """The built kubeslurm-topo, as a string for command lines."""
    path = build_dir / "bin" / "kubeslurm-topo"
    if not path.exists():
        pytest.fail(f"{path} is not built (make B=... {path})")
    return str(path)


@pytest.fixture
def cluster_factory():
    """Creates clusters that are torn down at the end of the test, whatever happens."""
    made = []

    def make(**kw) -> SlurmCluster:
        c = SlurmCluster(**kw)
        made.append(c)
        return c.start()

    yield make
    errors = []
    for c in made:
        try:
            c.stop(force=True)
        except Exception as e:  # keep tearing down the others
            errors.append(str(e))
    assert not errors, errors


def pytest_sessionfinish(session, exitstatus):
    # Last line of defence: nothing started by this run's clusters may survive it (other runs
    # on the same machine keep theirs).
    left = [pid for d in CREATED_DIRS for pid in kill_tagged(d)]
    if left:
        print(f"\nintegration: processes survived teardown: {left}")
