#!/usr/bin/env bash
# hf.sh CMD...: runs CMD $RUNS times (default 10) under hyperfine and prints
# two numbers in milliseconds: the median wall time and the mean CPU time
# (user + system of CMD and the children it waits for). table.sh runs it
# outside and, through pod unshare, inside pod's user namespace.
set -euo pipefail
command -v hyperfine >/dev/null || { echo "hf.sh: hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }
csv=$(mktemp)
log=$(mktemp)
trap 'rm -f "$csv" "$log"' EXIT
if ! hyperfine --shell=none --runs "${RUNS:-10}" --warmup 2 --style none --export-csv "$csv" -- "$(printf '%q ' "$@")" >"$log" 2>&1; then
	echo "hf.sh: $* failed:" >&2
	cat "$log" >&2
	exit 1
fi
awk -F, 'NR == 2 { printf "%.1f %.1f\n", $4 * 1000, ($5 + $6) * 1000 }' "$csv"
