"""The real GPU checks on this machine's GPUs (`make check-gpu`). Without a GPU every test skips
with the reason. With one, a healthy GPU must pass the shipped thresholds of its model (or the
relative checks when the model is unknown), and no check may error, time out or hang."""
import json
import os
import subprocess
import time

import pytest

from thresholds import thresholds_for, write_checker_config

PROLOG_LEVEL_CHECKS = ["gpu.inventory", "gpu.passive", "gpu.hbm_bandwidth", "gpu.gemm_bf16", "gpu.pcie",
                       "gpu.nccl_allreduce"]


@pytest.fixture(scope="module")
def sku(backend):
    inv = backend.run("gpu.inventory")
    assert inv[0]["check"] == "gpu.inventory"
    assert inv[0]["status"] == "pass", inv
    assert inv[0]["sku"], inv
    print(f"GPU model: {inv[0]['sku']}, {inv[0]['value']:.0f} GPU(s), driver {inv[0].get('driver_version')}")
    return inv[0]["sku"]


@pytest.fixture(scope="module")
def limits(sku):
    t, known = thresholds_for(sku)
    if not known:
        print(f"{sku}: no section in 10-gpu.conf: checks are relative to the node's median GPU")
    return t


@pytest.mark.parametrize("check", PROLOG_LEVEL_CHECKS + ["gpu.nvlink_p2p"])
def test_check_passes_on_a_healthy_gpu(backend, limits, check):
    started = time.monotonic()
    results = backend.run(check, level="full", deadline_s=120, thresholds=limits)
    took = time.monotonic() - started
    for r in results:
        print(json.dumps(r))
        assert r["status"] in ("pass", "skip"), r
        if r["status"] == "pass" and r.get("unit") in ("GB/s", "TFLOP/s"):
            assert r["value"] > 0, r
    assert took < 120, f"{check} overran its deadline: {took:.1f} s"


def test_gemm_results_are_repeatable(backend, limits):
    results = backend.run("gpu.gemm_bf16", level="full", deadline_s=60, thresholds=limits)
    consistency = [r for r in results if r["check"] == "gpu.gemm_consistency"]
    assert consistency and all(r["status"] == "pass" and r["value"] == 0 for r in consistency), results


def test_a_short_deadline_gives_an_answer_not_a_hang(backend):
    started = time.monotonic()
    results = backend.run("gpu.nccl_allreduce", level="quick", deadline_s=0.3)
    took = time.monotonic() - started
    assert took < 2.0, f"returned after {took:.2f} s for a 0.3 s deadline"
    assert all(r["status"] in ("pass", "skip", "timeout") for r in results), results


@pytest.mark.parametrize("check", ["gpu.hbm_bandwidth", "gpu.gemm_bf16"])
def test_a_deadline_cuts_a_long_measurement_short(backend, check):
    # A 60 s burn-in measurement under a 1.5 s deadline: it answers by the deadline (CUDA start-up
    # included), with what it measured so far or a timeout, never after the full duration.
    started = time.monotonic()
    results = backend.run(check, level="burnin", duration_s=60, deadline_s=1.5)
    took = time.monotonic() - started
    print(f"{check}: {took:.2f} s under a 1.5 s deadline: {[r['status'] for r in results]}")
    assert took < 4.0, f"returned after {took:.2f} s for a 1.5 s deadline"
    assert results and all(r["status"] in ("pass", "timeout") for r in results), results


def test_missing_gpu_in_the_allocation_fails_inventory(backend):
    r = backend.run("gpu.inventory", devices=[0, 999])
    assert r[0]["status"] == "fail" and "999" in r[0]["detail"], r


def test_checker_quick_level_with_the_backend(gpu_build_dir, backend, tmp_path):
    checker = gpu_build_dir / "bin" / "kubeslurm-gpucheck"
    if not checker.exists():
        pytest.skip(f"{checker} not built")
    conf = write_checker_config(tmp_path, gpu_build_dir)
    env = dict(os.environ, CUDA_DEVICE_ORDER="PCI_BUS_ID")
    started = time.monotonic()
    r = subprocess.run([str(checker), "--level", "quick", "--json", "-", "--config", str(conf)],
                       capture_output=True, text=True, env=env, timeout=120)
    took = time.monotonic() - started
    doc = json.loads(r.stdout[r.stdout.index('{"schema"'):])
    print(f"kubeslurm-gpucheck --level quick: {doc['status']} in {took:.1f} s")
    assert doc["status"] == "pass", json.dumps(doc, indent=1)
    assert r.returncode == 0
    assert {x["check"] for x in doc["results"]} >= {"gpu.hbm_bandwidth", "gpu.gemm_bf16", "gpu.inventory"}
