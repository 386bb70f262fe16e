#!/usr/bin/python3
"""make bench-gpu: the backend's figures against PyTorch on the same GPU in the same run.

  hbm_ratio     our HBM copy kernel GB/s / torch device-to-device copy GB/s (same bytes counted)
  gemm_ratio    our cuBLASLt bf16 GEMM TFLOP/s / torch.matmul bf16 8192^3 TFLOP/s
  quick_wall_s  wall time of `kubeslurm-gpucheck --level quick`, CUDA and NCCL start-up included

Prints the three key=value lines last; a figure that cannot be measured here is printed as NA
with the reason above it."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from gpu_backend import GpuBackend, gpu_present  # noqa: E402
from thresholds import write_checker_config  # noqa: E402

BUILD = pathlib.Path(os.environ.get("KUBESLURM_BUILD", pathlib.Path(__file__).resolve().parents[2] / "build/release"))


def torch_hbm_gbps(torch, seconds=3.0) -> float:
    n = 1 << 30
    src = torch.empty(n, dtype=torch.uint8, device="cuda")
    dst = torch.empty_like(src)
    for _ in range(3):
        dst.copy_(src)
    return _timed(torch, lambda: dst.copy_(src), seconds, lambda t: 2 * n / t / 1e9)


def torch_gemm_tflops(torch, seconds=3.0) -> float:
    n = 8192
    a = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    b = torch.randn(n, n, device="cuda", dtype=torch.bfloat16)
    for _ in range(3):
        torch.matmul(a, b)
    return _timed(torch, lambda: torch.matmul(a, b), seconds, lambda t: 2 * n ** 3 / t / 1e12)


def _timed(torch, fn, seconds, figure):
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    iters, total = 10, 0.0
    count = 0
    while total < seconds:
        start.record()
        for _ in range(iters):
            fn()
        stop.record()
        torch.cuda.synchronize()
        total += start.elapsed_time(stop) / 1e3
        count += iters
    return figure(total / count)


def ours(backend, check, figure_check) -> float:
    results = backend.run(check, level="full", devices=[0], deadline_s=120)
    values = [r["value"] for r in results if r["check"] == figure_check and r["status"] in ("pass", "fail")]
    if not values:
        raise RuntimeError(f"{check}: no figure: {json.dumps(results)}")
    return values[0]


def quick_wall_s() -> float:
    checker = BUILD / "bin" / "kubeslurm-gpucheck"
    with tempfile.TemporaryDirectory() as tmp:
        conf = write_checker_config(pathlib.Path(tmp), BUILD)
        started = time.monotonic()
        r = subprocess.run([str(checker), "--level", "quick", "--json", "-", "--config", str(conf)],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, CUDA_DEVICE_ORDER="PCI_BUS_ID"))
        took = time.monotonic() - started
    status = json.loads(r.stdout[r.stdout.index('{"schema"'):])["status"]
    print(f"kubeslurm-gpucheck --level quick: {status}, exit {r.returncode}, {took:.2f} s")
    return took


def main() -> int:
    figures = {"hbm_ratio": "NA", "gemm_ratio": "NA", "quick_wall_s": "NA"}
    present, why = gpu_present()
    so = BUILD / "lib" / "libkubeslurm-gpu.so"
    if not present:
        print(f"bench-gpu: skipped: {why}")
    elif not so.exists():
        print(f"bench-gpu: skipped: {so} not built (CUDA/NCCL missing at build time)")
    else:
        backend = GpuBackend(so)
        inv = backend.run("gpu.inventory", devices=[0])[0]
        print(f"GPU 0: {inv.get('sku')}, driver {inv.get('driver_version')}")
        hbm = ours(backend, "gpu.hbm_bandwidth", "gpu.hbm_bandwidth")
        gemm = ours(backend, "gpu.gemm_bf16", "gpu.gemm_bf16")
        print(f"kubeslurm HBM copy: {hbm:.0f} GB/s; cuBLASLt bf16 GEMM 8192^3: {gemm:.0f} TFLOP/s")
        try:
            import torch  # noqa: PLC0415
            t_hbm, t_gemm = torch_hbm_gbps(torch), torch_gemm_tflops(torch)
            print(f"torch {torch.__version__}: copy {t_hbm:.0f} GB/s; matmul bf16 8192^3 {t_gemm:.0f} TFLOP/s")
            figures["hbm_ratio"] = f"{hbm / t_hbm:.3f}"
            figures["gemm_ratio"] = f"{gemm / t_gemm:.3f}"
        except ImportError:
            print("bench-gpu: PyTorch not installed: no reference for the ratios")
        if (BUILD / "bin" / "kubeslurm-gpucheck").exists():
            figures["quick_wall_s"] = f"{quick_wall_s():.2f}"
        else:
            print("bench-gpu: kubeslurm-gpucheck not built: no quick_wall_s")
    for k, v in figures.items():
        print(f"{k}={v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
