#!/usr/bin/env bash
# Runs Catch2 unit test binaries; each one's console output goes to OUTDIR/NAME.log as well.
# Exit status: non-zero when any binary failed.
set -uo pipefail
outdir=$1; shift
mkdir -p "$outdir"
status=0
# Leaks inside third-party libraries that no caller can free (see the file).
export LSAN_OPTIONS="suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for bin in "$@"; do
  name=$(basename "$bin")
  echo "== $name"
  "$bin" --use-colour no 2>&1 | tee "$outdir/$name.log" | grep -vE '^(=+|-+)?$' | tail -n 40
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
exit $status
