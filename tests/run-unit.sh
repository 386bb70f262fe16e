#!/usr/bin/env bash
# Runs Catch2 unit test binaries; each one's console output goes to OUTDIR/NAME.log as well.
# Exit status: non-zero when any binary failed.
set -uo pipefail
outdir=$1; shift
mkdir -p "$outdir"
status=0
for bin in "$@"; do
  name=$(basename "$bin")
  echo "== $name"
  "$bin" --use-colour no 2>&1 | tee "$outdir/$name.log" | grep -vE '^(=+|-+)?$' | tail -n 40
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
