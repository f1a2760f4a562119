#!/usr/bin/env bash
# floor.sh BUNDLE STATEDIR: median wall time (ms) of `runc run` of BUNDLE,
# RUNS times; run inside pod's user namespace (pod unshare) by compare.sh.
set -euo pipefail
bundle=$1 state=$2 runs=${RUNS:-20}
cmd=(runc --root "$state" --rootless true run --bundle "$bundle" pod-floor)
if [ "${BENCH_TOOL:-}" != loop ] && command -v hyperfine >/dev/null; then
	csv=$(mktemp)
	hyperfine --shell=none --runs "$runs" --warmup 2 --style none --export-csv "$csv" -- "$(printf '%q ' "${cmd[@]}")" >/dev/null
	awk -F, 'NR == 2 { printf "%.1f\n", $4 * 1000 }' "$csv"
	rm -f "$csv"
	exit
fi
for ((i = 0; i < runs; i++)); do
	t0=$(date +%s%N)
	"${cmd[@]}" >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
done | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
