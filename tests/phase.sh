#!/usr/bin/env bash
# Runs one phase of `make check` and records its wall time and outcome for the closing summary:
#   phase.sh TSV NAME COMMAND [ARGS...]   appends "NAME<TAB>SECONDS<TAB>EXIT" to TSV
# and exits with the command's status.
set -u
tsv=$1 name=$2
shift 2
start=$(date +%s)
printf '==> %s\n' "$name"
"$@"
rc=$?
printf '%s\t%s\t%s\n' "$name" "$(( $(date +%s) - start ))" "$rc" >>"$tsv"
exit "$rc"
