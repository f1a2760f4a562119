#!/usr/bin/env bash
# make bench-build: `pod build` of a 20-step Dockerfile against Podman's
# `podman build` (Debian's 4.3.1, runc, cgroupfs, file events) where it is
# installed: a cold build (--no-cache), a fully cached rebuild, and a
# rebuild after changing one file copied late (step 18 of 20). The base is
# the static busybox test image, imported; no network is used.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
# RUNS (default 10) sets the runs of the cached measurements, COLD_RUNS
# (default 3) those of the cold build; BENCH_TOOL=loop forces the date loop
# instead of hyperfine. Goal: cached rebuild under 0.3 s and at least 3x
# faster than Podman's.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-10}
cold_runs=${COLD_RUNS:-3}
image=localhost/bench/busybox:latest

. "$repo/bench/lib.sh"
bench_as_user bench-build RUNS COLD_RUNS BENCH_TOOL

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench-build: $pod missing: run make build" >&2; exit 1; }
if ! "$pod" build --help >/dev/null 2>&1; then
	echo "bench-build: this pod has no build command yet; skipped"
	exit 0
fi
bench_work bench-build

# median N PREPARE CMD...: the median wall time of N runs of CMD, in
# milliseconds; PREPARE (a shell command, or "") runs before each run.
median() {
	local n=$1 prepare=$2
	shift 2
	if [ "${BENCH_TOOL:-}" != loop ] && command -v hyperfine >/dev/null; then
		local prep=()
		[ -z "$prepare" ] || prep=(--prepare "sh -c $(printf %q "$prepare")")
		if ! hyperfine --shell=none --runs "$n" --warmup 1 --style none "${prep[@]}" \
			--export-json "$work/hf.json" -- "$(printf '%q ' "$@")" >"$work/hf.log" 2>&1; then
			echo "bench-build: $* failed:" >&2
			cat "$work/hf.log" >&2
			return 1
		fi
		# hyperfine's CSV has no median column in older versions: take it
		# from the JSON.
		grep -o '"median": *[0-9.e+-]*' "$work/hf.json" | head -1 | awk -F: '{ printf "%.1f\n", $2 * 1000 }'
		return
	fi
	[ -z "$prepare" ] || sh -c "$prepare"
	"$@" >/dev/null 2>&1 || { echo "bench-build: $* failed" >&2; return 1; }
	local i t0 t1
	for ((i = 0; i < n; i++)); do
		[ -z "$prepare" ] || sh -c "$prepare"
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}

echo "bench-build: making the busybox image and the build context"
"$repo/hack/mkrootfs.sh" "$work/rootfs"
tar -C "$work/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
"$pod" "${pod_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null

ctx=$work/ctx
mkdir -p "$ctx/dir"
echo a >"$ctx/a.txt"
for i in 1 2 3 4 5; do echo "$i" >"$ctx/dir/f$i"; done
echo late >"$ctx/late.txt"
# 20 steps: 8 that make layers (RUN, COPY) and 12 that change only the config.
cat >"$ctx/Dockerfile" <<EOF
FROM $image
ARG V=1
ENV APP=/app PATH=/app/bin:/usr/bin:/bin
LABEL bench=build
WORKDIR /app
RUN mkdir -p /app/bin /app/data
COPY a.txt /app/
RUN cat /app/a.txt > /app/data/a
ENV STEP=9
COPY dir/ /app/dir/
RUN ls /app/dir > /app/data/list
USER root
RUN echo step13 > /app/data/s13
EXPOSE 8080
RUN echo step15 > /app/data/s15
ENV STEP=16
LABEL late=yes
COPY late.txt /app/
RUN wc -c /app/late.txt > /app/data/late
CMD ["sh"]
EOF
change_late="date +%s%N > $ctx/late.txt"

declare -A result
measure() { # measure KEY N PREPARE CMD...
	local key=$1
	shift
	result[$key]=$(median "$@")
	printf '  %-34s %9s ms\n' "$key" "${result[$key]}"
}

echo "pod ($("$pod" version 2>/dev/null | awk '/Version:/ { print $2; exit }')):"
pod_build=("$pod" "${pod_args[@]}" build -q -t bench/app:1 "$ctx")
measure "pod cold build (--no-cache)" "$cold_runs" "" "${pod_build[@]:0:${#pod_build[@]}-1}" --no-cache "$ctx"
"${pod_build[@]}" >/dev/null
measure "pod cached rebuild" "$runs" "" "${pod_build[@]}"
measure "pod rebuild, late file changed" "$runs" "$change_late" "${pod_build[@]}"

have_podman=
if command -v podman >/dev/null; then
	have_podman=1
	echo "podman ($(podman --version)):"
	podman "${podman_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1
	podman_build=(podman "${podman_args[@]}" build --layers -q -t bench/app:1 "$ctx")
	measure "podman cold build (--no-cache)" "$cold_runs" "" "${podman_build[@]:0:${#podman_build[@]}-1}" --no-cache "$ctx"
	"${podman_build[@]}" >/dev/null
	measure "podman cached rebuild" "$runs" "" "${podman_build[@]}"
	measure "podman rebuild, late file changed" "$runs" "$change_late" "${podman_build[@]}"
else
	echo "podman: not installed, skipped"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2fx", b / a; else print "n/a" }'; }
verdict() { awk -v v="$1" -v goal="$2" 'BEGIN { print (v + 0 <= goal + 0) ? "met" : "NOT met" }'; }
echo "results (median; cold of $cold_runs runs, others of $runs):"
echo "  pod cached rebuild under 300 ms:    $(verdict "${result[pod cached rebuild]}" 300) (${result[pod cached rebuild]} ms)"
if [ -n "$have_podman" ]; then
	echo "  podman/pod cold build:              $(ratio "${result[pod cold build (--no-cache)]}" "${result[podman cold build (--no-cache)]}") faster"
	echo "  podman/pod cached rebuild:          $(ratio "${result[pod cached rebuild]}" "${result[podman cached rebuild]}") faster (goal >= 3x)"
	echo "  podman/pod rebuild, late change:    $(ratio "${result[pod rebuild, late file changed]}" "${result[podman rebuild, late file changed]}") faster"
fi
