#!/usr/bin/env python3
"""Replace the text between `<!-- BEGIN name -->` and `<!-- END name -->` in a file."""
import sys

path, name, body = sys.argv[1], sys.argv[2], sys.argv[3]
begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
text = open(path, encoding="utf-8").read()
head, sep, rest = text.partition(begin)
_, sep2, tail = rest.partition(end)
if not sep or not sep2:
    sys.exit(f"{path}: markers for '{name}' not found")
open(path, "w", encoding="utf-8").write(f"{head}{begin}\n{body.rstrip()}\n{end}{tail}")
