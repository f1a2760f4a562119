#!/usr/bin/env bash
# make bench-lifecycle: the container lifecycle of pod against Podman
# (Debian's 4.3.1, runc, cgroupfs, file events) where it is installed:
#   run -d + stop -t 0 + rm cycle, ps -a with 200 containers, and the
#   resident memory of the per-container monitor (pod's monitor role,
#   Podman's conmon) over 5 running containers, and stop -t 2 of 20
#   containers that ignore SIGTERM (done at once: about 2 s, not 40).
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
# RUNS (default 20) sets the runs per measurement.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
image=localhost/bench/busybox:latest

. "$repo/bench/lib.sh"
bench_as_user bench-lifecycle RUNS

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench-lifecycle: $pod missing: run make build" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "bench-lifecycle: hyperfine missing (apt-get install hyperfine)" >&2; exit 1; }
bench_work bench-lc

# median CMD...: the median wall time of RUNS runs, in milliseconds.
median() { bench_median bench-lifecycle "$@"; }

declare -A result
measure() { # measure KEY CMD...
	local key=$1
	shift
	result[$key]=$(median "$@")
	printf '  %-34s %8s ms\n' "$key" "${result[$key]}"
}

# memory TOOL PID...: average RSS and PSS (kB) of the processes.
memory() {
	local tool=$1 rss=0 pss=0 n=0 p
	shift
	for p in "$@"; do
		rss=$((rss + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")))
		pss=$((pss + $(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup")))
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { echo "  $tool: no monitor processes found"; return; }
	result["$tool rss"]=$((rss / n))
	printf '  %-34s %8s kB (PSS %s kB, %d processes)\n' "$tool monitor RSS per container" $((rss / n)) $((pss / n)) "$n"
}

# cycle TOOL ARGS...: one run -d + stop -t 0 + rm of a container.
cycle_script='id=$("$@" run -d '"$image"' sleep 1000) && "$@" stop -t 0 "$id" >/dev/null && "$@" rm "$id" >/dev/null'

echo "bench-lifecycle: making the busybox image"
"$repo/hack/mkrootfs.sh" "$work/rootfs"
tar -C "$work/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
"$pod" "${pod_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null

# stopmany KEY TOOL ARGS...: the wall time of one stop -t 2 of 20
# containers whose PID 1 ignores SIGTERM, in seconds.
stopmany() {
	local key=$1 i t0 t1 names=()
	shift
	for i in $(seq 1 20); do
		"$@" run -d --name "s$i" "$image" sleep 1000 >/dev/null
		names+=("s$i")
	done
	t0=$(date +%s%N)
	"$@" stop -t 2 "${names[@]}" >/dev/null
	t1=$(date +%s%N)
	"$@" rm -f "${names[@]}" >/dev/null 2>&1
	result[$key]=$(awk -v n=$((t1 - t0)) 'BEGIN { printf "%.2f", n / 1e9 }')
	printf '  %-40s %8s s\n' "$key" "${result[$key]}"
}

echo "pod ($("$pod" version 2>/dev/null | awk '/Version:/ { print $2; exit }')):"
stopmany "pod stop -t 2 of 20" "$pod" "${pod_args[@]}"
measure "pod run -d + stop + rm" bash -c "$cycle_script" cycle "$pod" "${pod_args[@]}"
for i in $(seq 1 5); do "$pod" "${pod_args[@]}" run -d --name "up$i" "$image" sleep 1000 >/dev/null; done
sleep 1
mapfile -t mons < <(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/pod/monitors/*.pid)
memory pod "${mons[@]}"
"$pod" "${pod_args[@]}" rm -f --all >/dev/null
for i in $(seq 1 200); do "$pod" "${pod_args[@]}" create --name "c$i" "$image" true >/dev/null; done
measure "pod ps -a (200 containers)" "$pod" "${pod_args[@]}" ps -a

have_podman=
if command -v podman >/dev/null; then
	have_podman=1
	echo "podman ($(podman --version)):"
	podman "${podman_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1
	measure "podman run -d + stop + rm" bash -c "$cycle_script" cycle podman "${podman_args[@]}"
	stopmany "podman stop -t 2 of 20" podman "${podman_args[@]}"
	for i in $(seq 1 5); do podman "${podman_args[@]}" run -d --name "up$i" "$image" sleep 1000 >/dev/null; done
	sleep 1
	mapfile -t mons < <(for i in $(seq 1 5); do podman "${podman_args[@]}" inspect --format '{{.State.ConmonPid}}' "up$i"; done)
	memory podman "${mons[@]}"
	podman "${podman_args[@]}" rm -f --all >/dev/null 2>&1
	for i in $(seq 1 200); do podman "${podman_args[@]}" create --name "c$i" "$image" true >/dev/null; done
	measure "podman ps -a (200 containers)" podman "${podman_args[@]}" ps -a
else
	echo "podman: not installed, skipped"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
echo "goals: ps -a with 200 containers under 50 ms: ${result[pod ps -a (200 containers)]} ms; monitor RSS under 5 MB: ${result[pod rss]} kB; stop -t 2 of 20 about 2 s: ${result[pod stop -t 2 of 20]} s"
if [ -n "$have_podman" ]; then
	echo "ratios (median of $runs runs):"
	echo "  pod/podman run -d + stop + rm: $(ratio "${result[pod run -d + stop + rm]}" "${result[podman run -d + stop + rm]}")"
	echo "  pod/podman ps -a (200):        $(ratio "${result[pod ps -a (200 containers)]}" "${result[podman ps -a (200 containers)]}")"
	echo "  pod/podman monitor RSS:        $(ratio "${result[pod rss]}" "${result[podman rss]}")"
fi
