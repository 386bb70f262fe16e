"""ctypes access to libkubeslurm-gpu.so through its C ABI (src/health/gpu_backend.h), for the
integration tests, `make check-gpu` and `make bench-gpu`."""
from __future__ import annotations

import ctypes
import json
import pathlib
import shutil
import subprocess


class _Backend(ctypes.Structure):
    _fields_ = [("abi", ctypes.c_int), ("version", ctypes.c_char_p),
                ("list_checks", ctypes.CFUNCTYPE(ctypes.c_char_p)),
                ("run_check", ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p)),
                ("free_string", ctypes.CFUNCTYPE(None, ctypes.c_void_p))]


ALLGATHER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)
PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double)
LOG = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class Host(ctypes.Structure):
    """ks_gpu_host_v1: the checker's services, here played by Python callbacks."""
    _fields_ = [("ctx", ctypes.c_void_p), ("rank", ctypes.c_int), ("nranks", ctypes.c_int),
                ("allgather", ALLGATHER), ("progress", PROGRESS), ("log", LOG)]


class GpuBackend:
    def __init__(self, path: pathlib.Path | str):
        self.lib = ctypes.CDLL(str(path))
        entry = self.lib.kubeslurm_gpu_backend_v1
        entry.restype = ctypes.POINTER(_Backend)
        self.b = entry().contents

    @property
    def abi(self) -> int:
        return self.b.abi

    def checks(self) -> list[dict]:
        return json.loads(self.b.list_checks())

    def run(self, check: str, level: str = "quick", deadline_s: float = 60, devices=None,
            thresholds: dict | None = None, duration_s: float = 0, host=None) -> list[dict]:
        req = {"check": check, "level": level, "deadline_s": deadline_s, "duration_s": duration_s,
               "thresholds": thresholds or {}}
        if devices is not None:
            req["devices"] = devices
        p = self.b.run_check(json.dumps(req).encode(), ctypes.addressof(host) if host is not None else None)
        try:
            return json.loads(ctypes.string_at(p).decode())
        finally:
            self.b.free_string(p)

    def run_raw(self, text: bytes) -> list[dict]:
        p = self.b.run_check(text, None)
        try:
            return json.loads(ctypes.string_at(p).decode())
        finally:
            self.b.free_string(p)


def gpu_present() -> tuple[bool, str]:
    """(True, "") when an NVIDIA GPU and driver answer, else (False, reason)."""
    if not shutil.which("nvidia-smi"):
        return False, "nvidia-smi not found: no NVIDIA driver on this machine"
    r = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True)
    if r.returncode != 0 or "GPU" not in r.stdout:
        return False, "nvidia-smi lists no GPU: " + (r.stderr or r.stdout).strip()
    return True, ""
