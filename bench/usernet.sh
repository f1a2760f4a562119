#!/usr/bin/env bash
# make bench-network (second part): user-defined networks of pod against
# Podman 4.3.1's bridge networks where Podman is installed, on loopback
# and the namespaces made here only:
#   the memory (PSS) of every network helper process with 1, 10 and 50
#   running containers: pod's default network and a user-defined one (a
#   bridge each in the rootless namespace, whose holder is also the DNS
#   role, and its one pasta), pod with --network pasta (one pasta per
#   container), Podman on a bridge network (its rootless namespace's
#   slirp4netns, and dnsmasq when the dnsname plugin is installed);
#   the start time of `run --rm IMG true` on the default network (its
#   holder running, and started anew: a run after a pause of 2 s), on a
#   user-defined network and with --network pasta, against --network none;
#   iperf3 between two containers on one bridge.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
# RUNS (default 20) sets the runs per timing, COUNTS (default "1 10 50")
# the numbers of containers, SECONDS_IPERF (default 5) a throughput run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
counts=${COUNTS:-1 10 50}
secs=${SECONDS_IPERF:-5}
image=localhost/bench/netbox:latest

. "$repo/bench/lib.sh"
bench_as_user bench-usernet RUNS COUNTS SECONDS_IPERF

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench-usernet: $pod missing: run make build" >&2; exit 1; }
for p in iperf3 python3; do
	command -v "$p" >/dev/null || { echo "bench-usernet: $p missing (hack/deps.sh)" >&2; exit 1; }
done
bench_work bench-usernet

median() { bench_median bench-usernet "$@"; }

# pss PATTERN: the summed PSS, in MB, of this run's processes whose
# command line matches PATTERN (extended regexp).
pss() {
	local total=0 pid kb
	for pid in $(grep -lzx "POD_BENCH_WORK=$work" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
		{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -Eq "$1" || continue
		kb=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
		total=$((total + ${kb:-0}))
	done
	awk -v k="$total" 'BEGIN { printf "%.1f", k / 1024 }'
}

# fill N TOOL ARGS... -- RUN-FLAGS...: N running containers.
fill() {
	local n=$1 i
	shift
	local tool=() flags=()
	while [ "$1" != -- ]; do tool+=("$1"); shift; done
	shift
	flags=("$@")
	for i in $(seq 1 "$n"); do
		"${tool[@]}" run -d "${flags[@]}" "$image" sleep 600 >/dev/null
	done
	sleep 1
}

echo "bench-usernet: making the image (busybox and the host's iperf3 with its libraries)"
bench_netbox_image
"$pod" "${pod_args[@]}" network create benchnet >/dev/null

echo "memory of the network helpers (PSS, MB):"
for n in $counts; do
	fill "$n" "$pod" "${pod_args[@]}" -- --network pasta
	printf '  %-44s %8s\n' "pod --network pasta (pasta each), $n containers" "$(pss '^(/[^ ]*/)?(pasta|pasta.avx2|passt|slirp4netns) ')"
	"$pod" "${pod_args[@]}" rm -f --all >/dev/null
	fill "$n" "$pod" "${pod_args[@]}" --
	printf '  %-44s %8s\n' "pod default network, $n containers" "$(pss '^(/[^ ]*/)?(pasta|pasta.avx2|passt|slirp4netns) |^pod-netns-holder')"
	"$pod" "${pod_args[@]}" rm -f --all >/dev/null
	fill "$n" "$pod" "${pod_args[@]}" -- --network benchnet
	printf '  %-44s %8s\n' "pod user network, $n containers" "$(pss '^(/[^ ]*/)?(pasta|pasta.avx2|passt|slirp4netns) |^pod-netns-holder')"
	"$pod" "${pod_args[@]}" rm -f --all >/dev/null
done

echo "start time of run --rm true (median of $runs, ms):"
none=$(median "$pod" "${pod_args[@]}" run --rm --network none "$image" true)
user=$(median "$pod" "${pod_args[@]}" run --rm --network benchnet "$image" true)
dflt=$(median "$pod" "${pod_args[@]}" run --rm "$image" true)
own=$(median "$pod" "${pod_args[@]}" run --rm --network pasta "$image" true)
# cold: each run after the holder has ended (it ends about 1 s after the
# last address is given back).
cold=$(for _ in $(seq 1 "$runs"); do
	sleep 2
	t0=$(date +%s%N)
	"$pod" "${pod_args[@]}" run --rm "$image" true >/dev/null 2>&1
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
done | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f\n", a[int((NR + 1) / 2)] / 1000 }')
printf '  %-44s %8s\n' "pod --network none" "$none" "pod --network benchnet" "$user" "pod default network" "$dflt" \
	"pod default network, its holder started anew" "$cold" "pod --network pasta" "$own"
echo "  default network start overhead: $(awk -v a="$dflt" -v b="$none" 'BEGIN { printf "%.1f ms", a - b }') (goal under 20 ms)"
echo "  user network start overhead: $(awk -v a="$user" -v b="$none" 'BEGIN { printf "%.1f ms", a - b }') (goal under 20 ms)"

# c2c TOOL ARGS... -- NET: iperf3 between two containers on NET, Gbit/s.
c2c() {
	local tool=()
	while [ "$1" != -- ]; do tool+=("$1"); shift; done
	local net=$2
	local ip
	"${tool[@]}" run -d --name iperfsrv --network "$net" "$image" iperf3 -s >/dev/null
	sleep 1
	ip=$("${tool[@]}" inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' iperfsrv)
	"${tool[@]}" run --rm --network "$net" "$image" iperf3 -c "$ip" -t "$secs" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0
	"${tool[@]}" rm -f iperfsrv >/dev/null
}
echo "container to container on one bridge (iperf3, Gbit/s):"
podc2c=$(c2c "$pod" "${pod_args[@]}" -- benchnet)
printf '  %-44s %8s\n' "pod" "$podc2c"

# published TOOL ARGS... -- NET: iperf3 from the host through a port
# published by a container on NET, Gbit/s.
published() {
	local tool=()
	while [ "$1" != -- ]; do tool+=("$1"); shift; done
	local net=$2 port
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	"${tool[@]}" run -d --name iperfpub --network "$net" -p "127.0.0.1:$port:5201" "$image" iperf3 -s >/dev/null
	sleep 1
	iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -J 2>/dev/null |
		python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))' 2>/dev/null || echo 0
	"${tool[@]}" rm -f iperfpub >/dev/null
}
echo "through a published port of a container on a bridge (iperf3 from the host, Gbit/s):"
podpub=$(published "$pod" "${pod_args[@]}" -- benchnet)
printf '  %-44s %8s\n' "pod (the monitor's relay)" "$podpub"

if command -v podman >/dev/null; then
	echo "podman ($(podman --version)), bridge network:"
	podman "${podman_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1
	# Podman keeps network definitions in the user's configuration, not
	# under --root: one left by an earlier run goes first, this one at
	# the end.
	podman "${podman_args[@]}" network rm -f benchnet >/dev/null 2>&1 || true
	bench_cleanup_extra() { podman "${podman_args[@]}" network rm -f benchnet >/dev/null 2>&1; }
	if ! podman "${podman_args[@]}" network create benchnet >/dev/null 2>"$work/podman-net.err"; then
		echo "  podman network create failed: $(head -1 "$work/podman-net.err")"
	else
		for n in $counts; do
			fill "$n" podman "${podman_args[@]}" -- --network benchnet
			printf '  %-44s %8s\n' "podman bridge, $n containers" "$(pss '^(/[^ ]*/)?(slirp4netns|pasta|pasta.avx2|rootlessport|dnsmasq|aardvark-dns) ')"
			podman "${podman_args[@]}" rm -f --all >/dev/null
		done
		pnone=$(median podman "${podman_args[@]}" run --rm --network none "$image" true)
		puser=$(median podman "${podman_args[@]}" run --rm --network benchnet "$image" true)
		printf '  %-44s %8s\n' "podman --network none (ms)" "$pnone" "podman --network benchnet (ms)" "$puser"
		echo "  user network start overhead: $(awk -v a="$puser" -v b="$pnone" 'BEGIN { printf "%.1f ms", a - b }')"
		pc2c=$(c2c podman "${podman_args[@]}" -- benchnet)
		printf '  %-44s %8s\n' "podman container to container (Gbit/s)" "$pc2c"
		echo "  throughput pod/podman: $(awk -v a="$podc2c" -v b="$pc2c" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }') (goal at least 1x)"
		ppub=$(published podman "${podman_args[@]}" -- benchnet)
		printf '  %-44s %8s\n' "podman published port (rootlessport, Gbit/s)" "$ppub"
		echo "  published port pod/podman: $(awk -v a="$podpub" -v b="$ppub" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }')"
	fi
else
	echo "podman: not installed, skipped"
fi
