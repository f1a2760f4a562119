# Sourced by the bench scripts after they set repo (the repository root).
# It holds what they all do: re-run as the unprivileged test user when
# started as root, make a work directory with its own runtime dir, clean
# up pod's and podman's state and processes at the end, and take medians.

# bench_as_user NAME VAR...: as root, runs the calling script again as
# $POD_TEST_USER (default podtest) from a copy of bin/pod, hack/ and bench/
# that user can read, passing the environment variables named, and exits
# with its status. A script may define bench_copy_extra DIR to add to the
# copy. As any other user it returns at once.
bench_as_user() {
	local name=$1
	shift
	[ "$(id -u)" -eq 0 ] || return 0
	local user=${POD_TEST_USER:-podtest}
	if ! getent passwd "$user" >/dev/null; then
		echo "$name: user $user missing: run hack/testuser.sh as root" >&2
		exit 1
	fi
	local uid gid work run status=0 pass=() v
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	work=$(mktemp -d "/tmp/pod-$name.XXXXXX")
	mkdir -p "$work/bin" "$work/hack" "$work/bench"
	cp "$repo/bin/pod" "$repo/bin/pod-monitor" "$work/bin/"
	cp "$repo/hack/mkrootfs.sh" "$work/hack/"
	cp "$repo"/bench/*.sh "$work/bench/"
	if declare -F bench_copy_extra >/dev/null; then
		bench_copy_extra "$work"
	fi
	chmod -R a+rX "$work"
	chown -R "$uid:$gid" "$work"
	run=/run/user/$uid
	[ -d "$run" ] || install -d -m 0700 -o "$uid" -g "$gid" "$run"
	for v in "$@"; do
		pass+=("$v=${!v:-}")
	done
	echo "$name: running as $user (uid $uid)"
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" LOGNAME="$user" \
		PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$run" "${pass[@]}" \
		bash "$work/bench/$(basename "$0")" || status=$?
	rm -rf "$work" 2>/dev/null || true
	exit $status
}

# bench_work NAME: sets work (a new directory), its own XDG_RUNTIME_DIR and
# a marker, so the pause processes of pod and podman made here are found
# and ended at the end, pod_args and podman_args (state under work), and
# the cleanup trap; a script may define bench_cleanup_extra to run first.
bench_work() {
	work=$(mktemp -d "/tmp/pod-$1-run.XXXXXX")
	export XDG_RUNTIME_DIR=$work/xdg POD_BENCH_WORK=$work
	mkdir -m 0700 "$XDG_RUNTIME_DIR"
	podman_args=(--root "$work/podman/root" --runroot "$work/podman/runroot" --tmpdir "$work/podman/tmp"
		--runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver overlay)
	pod_args=(--root "$work/pod/root" --runroot "$work/pod/runroot")
	trap bench_cleanup EXIT
}

bench_cleanup() {
	if declare -F bench_cleanup_extra >/dev/null; then
		bench_cleanup_extra || true
	fi
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

# bench_median NAME CMD...: the median wall time of RUNS runs of CMD, in
# milliseconds, with hyperfine (unless BENCH_TOOL=loop), else a loop timed
# with date +%s%N.
bench_median() {
	local name=$1
	shift
	if [ "${BENCH_TOOL:-}" != loop ] && command -v hyperfine >/dev/null; then
		if ! hyperfine --shell=none --runs "$runs" --warmup 2 --style none \
			--export-csv "$work/hf.csv" -- "$(printf '%q ' "$@")" >"$work/hf.log" 2>&1; then
			echo "$name: $* failed:" >&2
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

# bench_netbox_image: $work/rootfs.tar, busybox with the host's iperf3 and
# its libraries, imported into pod as $image.
bench_netbox_image() {
	"$repo/hack/mkrootfs.sh" "$work/rootfs"
	local iperf f
	iperf=$(command -v iperf3)
	for f in "$iperf" $(ldd "$iperf" | grep -o '/[^ ]*'); do
		mkdir -p "$work/rootfs$(dirname "$f")"
		cp -L "$f" "$work/rootfs$f"
	done
	tar -C "$work/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
	"$pod" "${pod_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null
}
