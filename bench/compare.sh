#!/usr/bin/env bash
# make bench: median latency of pod against Podman (Debian's 4.3.1, runc,
# cgroupfs) and against a bare `runc run` of a prepared bundle (the floor):
#   run --rm IMG true, images, ps -a with 100 exited containers.
# Uses hyperfine when present, else a loop timed with date +%s%N.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
# RUNS (default 20) sets the number of runs per measurement; BENCH_TOOL=loop
# forces the date loop.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
image=localhost/bench/busybox:latest

. "$repo/bench/lib.sh"
bench_as_user bench RUNS BENCH_TOOL

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench: $pod missing: run make build" >&2; exit 1; }
bench_work bench-run

# median CMD...: the median wall time of RUNS runs, in milliseconds.
median() { bench_median bench "$@"; }

echo "bench: making the busybox rootfs and bundle"
"$repo/hack/mkrootfs.sh" "$work/bundle/rootfs"
tar -C "$work/bundle/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
"$pod" "${pod_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null

declare -A result
measure() { # measure KEY CMD...
	local key=$1
	shift
	result[$key]=$(median "$@")
	printf '  %-28s %8s ms\n' "$key" "${result[$key]}"
}

echo "pod ($("$pod" version 2>/dev/null | awk '/Version:/ { print $2; exit }')):"
measure "pod run --rm true" "$pod" "${pod_args[@]}" run --rm "$image" true
measure "pod run --rm --network none" "$pod" "${pod_args[@]}" run --rm --network none "$image" true
measure "pod images" "$pod" "${pod_args[@]}" images
for i in $(seq 1 100); do "$pod" "${pod_args[@]}" run --name "exited$i" "$image" true >/dev/null; done
measure "pod ps -a (100 exited)" "$pod" "${pod_args[@]}" ps -a

have_podman=
if command -v podman >/dev/null; then
	have_podman=1
	echo "podman ($(podman --version)):"
	podman "${podman_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1
	measure "podman run --rm true" podman "${podman_args[@]}" run --rm "$image" true
	measure "podman images" podman "${podman_args[@]}" images
	for i in $(seq 1 100); do podman "${podman_args[@]}" run --name "exited$i" "$image" true >/dev/null; done
	measure "podman ps -a (100 exited)" podman "${podman_args[@]}" ps -a
else
	echo "podman: not installed, skipped"
fi

have_runc=
if command -v runc >/dev/null; then
	have_runc=1
	echo "runc floor ($(runc --version | head -1)):"
	(cd "$work/bundle" && runc spec --rootless)
	sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"true"/' "$work/bundle/config.json"
	measure "runc run true" runc --root "$work/runc" run --bundle "$work/bundle" bench-floor
fi

# The floor for pod's own work: the runtime running exactly the bundle pod
# writes (same spec: seccomp, mounts, namespaces), inside pod's user
# namespace, on an unpacked copy of the image.
have_podfloor=
if command -v runc >/dev/null; then
	"$pod" "${pod_args[@]}" run --name floor-src --network none "$image" true >/dev/null
	id=$("$pod" "${pod_args[@]}" ps -a -q --no-trunc --filter name=floor-src | head -1)
	cfg=$("$pod" "${pod_args[@]}" unshare sh -c "cat $work/pod/runroot/overlay-containers/$id/userdata/config.json")
	mkdir -p "$work/podbundle"
	cp -a "$work/bundle/rootfs" "$work/podbundle/rootfs"
	printf '%s' "$cfg" | sed -e "s#\"root\":{\"path\":\"[^\"]*\"#\"root\":{\"path\":\"$work/podbundle/rootfs\"#" >"$work/podbundle/config.json"
	for f in hosts hostname resolv.conf; do
		"$pod" "${pod_args[@]}" unshare cat "$work/pod/runroot/overlay-containers/$id/userdata/$f" >"$work/podbundle/$f"
		sed -i "s#$work/pod/runroot/overlay-containers/$id/userdata/$f#$work/podbundle/$f#g" "$work/podbundle/config.json"
	done
	echo "runc floor with pod's own bundle, inside pod's user namespace:"
	result[runc run pod bundle]=$("$pod" "${pod_args[@]}" unshare env RUNS="$runs" BENCH_TOOL="${BENCH_TOOL:-}" \
		bash "$(dirname "$0")/floor.sh" "$work/podbundle" "$work/runc-pod")
	printf '  %-28s %8s ms\n' "runc run (pod's bundle)" "${result[runc run pod bundle]}"
	have_podfloor=1
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
echo "ratios (median of $runs runs):"
if [ -n "$have_podman" ]; then
	echo "  pod/podman run --rm true:   $(ratio "${result[pod run --rm true]}" "${result[podman run --rm true]}")"
	echo "  pod/podman images:          $(ratio "${result[pod images]}" "${result[podman images]}")"
	echo "  pod/podman ps -a (100):     $(ratio "${result[pod ps -a (100 exited)]}" "${result[podman ps -a (100 exited)]}")"
fi
if [ -n "$have_runc" ]; then
	echo "  pod/runc run --rm true:     $(ratio "${result[pod run --rm true]}" "${result[runc run true]}")  (runc's default rootless spec)"
fi
if [ -n "$have_podfloor" ]; then
	echo "  pod/runc run (pod bundle):  $(ratio "${result[pod run --rm --network none]}" "${result[runc run pod bundle]}")  (same spec as pod's, no network)"
fi
