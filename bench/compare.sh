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

if [ "$(id -u)" -eq 0 ]; then
	user=${POD_TEST_USER:-podtest}
	if ! getent passwd "$user" >/dev/null; then
		echo "bench: user $user missing: run hack/testuser.sh as root" >&2
		exit 1
	fi
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	work=$(mktemp -d /tmp/pod-bench.XXXXXX)
	mkdir -p "$work/bin" "$work/hack" "$work/bench"
	cp "$repo/bin/pod" "$work/bin/pod"
	cp "$repo/hack/mkrootfs.sh" "$work/hack/"
	cp "$repo/bench/compare.sh" "$repo/bench/floor.sh" "$work/bench/"
	chmod -R a+rX "$work"
	chown -R "$uid:$gid" "$work"
	run=/run/user/$uid
	[ -d "$run" ] || install -d -m 0700 -o "$uid" -g "$gid" "$run"
	echo "bench: running as $user (uid $uid)"
	status=0
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" \
		PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$run" RUNS="$runs" BENCH_TOOL="${BENCH_TOOL:-}" \
		bash "$work/bench/compare.sh" || status=$?
	rm -rf "$work" 2>/dev/null || true
	exit $status
fi

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench: $pod missing: run make build" >&2; exit 1; }
work=$(mktemp -d /tmp/pod-bench-run.XXXXXX)
# Own runtime dir and a marker, so the pause processes of pod and podman
# made here are found and ended at the end.
export XDG_RUNTIME_DIR=$work/xdg POD_BENCH_WORK=$work
mkdir -m 0700 "$XDG_RUNTIME_DIR"
podman_args=(--root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/podman/tmp"
	--runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver overlay)
pod_args=(--root "$work/pod/root" --runroot "$work/pod/runroot")
cleanup() {
	"$pod" "${pod_args[@]}" rm -f --all >/dev/null 2>&1 || true
	"$pod" "${pod_args[@]}" unshare rm -rf "$work/pod" >/dev/null 2>&1 || true
	if command -v podman >/dev/null; then
		podman "${podman_args[@]}" rm -f --all >/dev/null 2>&1 || true
		podman "${podman_args[@]}" unshare rm -rf "$work/podman" >/dev/null 2>&1 || true
	fi
	local pids
	pids=$(cat "$XDG_RUNTIME_DIR/pod/pause.pid" 2>/dev/null || true)
	pids="$pids $(grep -lzx "POD_BENCH_WORK=$work" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3 | grep -vx "$$" || true)"
	kill -KILL $pids 2>/dev/null || true
	rm -rf "$work" 2>/dev/null || true
}
trap cleanup EXIT

# median CMD...: prints the median wall time of RUNS runs, in milliseconds.
median() {
	if [ "${BENCH_TOOL:-}" != loop ] && command -v hyperfine >/dev/null; then
		if ! hyperfine --shell=none --runs "$runs" --warmup 2 --style none \
			--export-csv "$work/hf.csv" -- "$(printf '%q ' "$@")" >"$work/hf.log" 2>&1; then
			echo "bench: $* failed:" >&2
			cat "$work/hf.log" >&2
			return 1
		fi
		awk -F, 'NR == 2 { printf "%.1f\n", $4 * 1000 }' "$work/hf.csv"
		return
	fi
	"$@" >/dev/null 2>&1 || true
	local i t0 t1
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f\n", m / 1000 }'
}

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
