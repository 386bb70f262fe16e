"""The GPU backend loads through its C ABI and answers every check: skip with a reason where no
GPU or driver is present, real verdicts where one is (the figures are judged in tests/gpu)."""
import json
import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "gpu"))
from gpu_backend import GpuBackend, gpu_present  # noqa: E402

STATUSES = {"pass", "fail", "skip", "error", "timeout"}


@pytest.fixture(scope="module")
def backend(build_dir):
    so = build_dir / "lib" / "libkubeslurm-gpu.so"
    if not so.exists():
        pytest.skip(f"{so} not built (CUDA/NCCL not found at build time)")
    return GpuBackend(so)


def test_exports_only_the_entry_point(build_dir, backend):
    import subprocess
    out = subprocess.run(["nm", "-D", "--defined-only", str(build_dir / "lib" / "libkubeslurm-gpu.so")],
                         capture_output=True, text=True, check=True).stdout
    symbols = [line.split()[-1] for line in out.splitlines() if line.strip()]
    assert symbols == ["kubeslurm_gpu_backend_v1"], symbols


def test_catalogue_and_abi(backend):
    assert backend.abi == 1
    checks = {c["name"]: c for c in backend.checks()}
    assert {"gpu.inventory", "gpu.passive", "gpu.hbm_bandwidth", "gpu.gemm_bf16", "gpu.pcie",
            "gpu.nvlink_p2p", "gpu.nccl_allreduce", "gpu.nccl_multinode"} <= set(checks)
    assert "quick" not in checks["gpu.nccl_multinode"]["levels"]
    assert "quick" in checks["gpu.hbm_bandwidth"]["levels"]


def test_every_check_answers_by_contract(backend):
    present, why = gpu_present()
    for c in backend.checks():
        results = backend.run(c["name"], level="quick", deadline_s=30)
        assert isinstance(results, list) and results, c
        for r in results:
            assert r["status"] in STATUSES, r
            assert r["check"].startswith("gpu"), r
            if not present:
                # No driver here: a skip that says why, never a fail that would drain the node.
                assert r["status"] == "skip", r
                assert r["detail"], r
    if not present:
        print(f"GPU checks skipped as expected: {why}")


def test_bad_requests_are_errors_not_crashes(backend):
    r = backend.run_raw(b"{not json")
    assert r[0]["status"] == "error" and "bad request" in r[0]["detail"]
    r = backend.run_raw(json.dumps({"check": "gpu.hbm_bandwidth", "devices": ["x"]}).encode())
    assert r[0]["status"] == "error" and "GPU index" in r[0]["detail"]
    r = backend.run_raw(json.dumps({"check": "gpu.nope"}).encode())
    assert r[0]["status"] == "error" and "unknown check" in r[0]["detail"]


def _host(allgather, nranks=2, rank=0, logs=None):
    from gpu_backend import ALLGATHER, LOG, PROGRESS, Host
    callbacks = (ALLGATHER(allgather), PROGRESS(lambda ctx, check, f: None),
                 LOG(lambda ctx, level, msg: logs.append(msg.decode()) if logs is not None else None))
    host = Host(None, rank, nranks, *callbacks)
    host._keep = callbacks  # the backend may call them after run_check returned
    return host


def test_multinode_takes_part_in_the_exchanges_without_a_gpu(backend):
    import ctypes
    calls = []

    def allgather(ctx, src, length, dst):
        calls.append(length)
        for i in range(2):  # both "nodes" send what this one sends
            ctypes.memmove(dst + i * length, src, length)
        return 0

    present, _ = gpu_present()
    if present:
        pytest.skip("a GPU is present: covered by tests/gpu")
    host = _host(allgather)
    r = backend.run("gpu.nccl_multinode", level="nccl", deadline_s=10, host=host)
    # Both exchanges (GPU counts, then the NCCL unique ID) happen even without a GPU, so that
    # the other nodes are not left waiting; then the check skips.
    assert calls == [4, 128], calls
    assert r[0]["status"] == "skip" and "no GPU" in r[0]["detail"], r


KEEP_ALIVE = []


def test_watchdog_answers_by_the_deadline_when_the_host_blocks(backend):
    import time

    import threading
    released = threading.Event()

    def allgather(ctx, src, length, dst):
        time.sleep(5)  # a rendezvous that never completes within the check's deadline
        released.set()
        return -1

    host = _host(allgather)
    KEEP_ALIVE.append(host)  # the abandoned worker still returns through this callback later
    started = time.monotonic()
    r = backend.run("gpu.nccl_multinode", level="nccl", deadline_s=1.0, host=host)
    took = time.monotonic() - started
    # By the deadline, not when the host returns (5 s): 3 s of margin for a loaded machine.
    assert took < 4.0, f"answered after {took:.2f} s for a 1 s deadline"
    assert r[0]["status"] == "timeout", r
    assert "timeout after 1 s" in r[0]["detail"], r
    # The abandoned worker finishes on its own once the host returns (and calls nothing more).
    assert released.wait(10)
    time.sleep(0.5)
