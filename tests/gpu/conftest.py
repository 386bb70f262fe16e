"""Fixtures of the GPU tests (`make check-gpu`): they run the real checks on this machine's GPUs
and skip with the reason where there is none."""
import os
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from gpu_backend import GpuBackend, gpu_present  # noqa: E402

SOURCE_DIR = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def gpu_build_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("KUBESLURM_BUILD", SOURCE_DIR / "build" / "release"))


@pytest.fixture(scope="session")
def backend(gpu_build_dir) -> GpuBackend:
    present, why = gpu_present()
    if not present:
        pytest.skip(f"no GPU: {why}")
    so = gpu_build_dir / "lib" / "libkubeslurm-gpu.so"
    if not so.exists():
        pytest.skip(f"{so} not built (CUDA/NCCL missing at build time)")
    return GpuBackend(so)
