"""The shipped GPU thresholds for one GPU model, read the way the checker merges them
([default] < [sku "NAME"]), for the GPU tests and the benchmark."""
from __future__ import annotations

import pathlib
import re

FILE = pathlib.Path(__file__).resolve().parents[2] / "src/health/gpu/thresholds.d/10-gpu.conf"


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
