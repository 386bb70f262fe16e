"""The shipped GPU thresholds for one GPU model, read the way the checker merges them
([default] < [sku "NAME"]), for the GPU tests and the benchmark."""
from __future__ import annotations

import pathlib
import re

SOURCE = pathlib.Path(__file__).resolve().parents[2]
FILE = SOURCE / "src/health/gpu/thresholds.d/10-gpu.conf"
HOST_FILE = SOURCE / "src/health/thresholds.d/00-host.conf"


def write_checker_config(directory: pathlib.Path, build: pathlib.Path) -> pathlib.Path:
    """A kubeslurm.conf for kubeslurm-gpucheck with the shipped thresholds directory as installed
    (host and GPU files side by side), no site overrides and the built GPU backend."""
    tdir = directory / "thresholds.d"
    tdir.mkdir()
    (tdir / HOST_FILE.name).write_text(HOST_FILE.read_text())
    (tdir / FILE.name).write_text(FILE.read_text())
    conf = directory / "kubeslurm.conf"
    conf.write_text(f"ThresholdsDir={tdir}\nSiteThresholdsFile={directory}/none.conf\n"
                    f"GpuBackend={build / 'lib' / 'libkubeslurm-gpu.so'}\n")
    return conf


def thresholds_for(sku: str, path: pathlib.Path = FILE) -> tuple[dict[str, float], bool]:
    """(thresholds, known): `known` is False when the file has no section for this SKU."""
    sections: dict[str, dict[str, float]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"\[(.+)\]", line)
        if m:
            current = sections.setdefault(m.group(1).strip(), {})
            continue
        key, _, value = line.partition("=")
        current[key.strip()] = float(value)
    merged = dict(sections.get("default", {}))
    specific = sections.get(f'sku "{sku}"')
    merged.update(specific or {})
    return merged, specific is not None
