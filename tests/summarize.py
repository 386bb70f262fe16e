#!/usr/bin/env python3
"""Prints one closing line for a `make check` run: 'N passed, N failed, N skipped', after the
time of each phase (build/reports/phases.tsv, written by tests/phase.sh).

Counts Catch2 test cases from the unit logs (build/reports/unit*/NAME.log) and pytest cases from
JUnit XML (build/reports/*.xml). Exit status 1 when anything failed or nothing ran."""
import pathlib
import re
import sys
import xml.etree.ElementTree as ET

reports = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/reports")
passed = failed = skipped = 0

for log in sorted(reports.glob("unit*/*.log")):
    text = log.read_text(errors="replace")
    if m := re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", text):
        passed += int(m.group(1))
    elif m := re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", text):
        passed += int(m.group(2))
        failed += int(m.group(3))
    elif m := re.search(r"test cases:\s*(\d+)\s*\|\s*(\d+) failed", text):
        failed += int(m.group(2))
    else:
        print(f"summarize: {log}: no Catch2 summary (crashed?)")
        failed += 1

for xml in sorted(reports.glob("*.xml")):
    for suite in ET.parse(xml).getroot().iter("testsuite"):
        tests = int(suite.get("tests", 0))
        f = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        s = int(suite.get("skipped", 0))
        passed += tests - f - s
        failed += f
        skipped += s

phases = reports / "phases.tsv"
if phases.exists():
    print("\nmake check phases:")
    total = 0
    for row in phases.read_text().splitlines():
        name, seconds, rc = row.split("\t")
        total += int(seconds)
        status = "" if rc == "0" else f"  (exit {rc})"
        print(f"  {name:<44} {int(seconds) // 60:3d} min {int(seconds) % 60:02d} s{status}")
    print(f"  {'total':<44} {total // 60:3d} min {total % 60:02d} s\n")

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
