#!/usr/bin/env bash
# make bench-network: rootless networking of pod against Podman 4.3.1
# (Debian; runc, cgroupfs, file events, slirp4netns with the rootlesskit
# port handler) where it is installed, on loopback only:
#   TCP throughput through a published port (iperf3 in the container,
#   the client on the host), HTTP request latency through a published
#   port (busybox httpd, curl), and the start time of `run --rm IMG true`
#   with and without a network.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
# RUNS (default 20) sets the runs per timing, SECONDS_IPERF (default 5)
# the length of a throughput run.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
secs=${SECONDS_IPERF:-5}
image=localhost/bench/netbox:latest

. "$repo/bench/lib.sh"
bench_as_user bench-network RUNS SECONDS_IPERF

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench-network: $pod missing: run make build" >&2; exit 1; }
for p in hyperfine iperf3 curl; do
	command -v "$p" >/dev/null || { echo "bench-network: $p missing (hack/deps.sh)" >&2; exit 1; }
done
bench_work bench-net
podman_net=(--network slirp4netns:port_handler=rootlesskit)

# median CMD...: the median wall time of RUNS runs, in milliseconds.
median() { bench_median bench-network "$@"; }

declare -A result
show() { printf '  %-40s %10s %s\n' "$1" "${result[$1]}" "$2"; }

freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# waitport PORT: until something accepts on 127.0.0.1:PORT.
waitport() {
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench-network: nothing listens on 127.0.0.1:$1" >&2
	return 1
}

# netflags are the run flags that choose the network of the next runs.
netflags=()

# throughput KEY TOOL ARGS...: iperf3 through a published port, Gbit/s.
throughput() {
	local key=$1 port
	shift
	port=$(freeport)
	"$@" run -d --name iperf "${netflags[@]}" -p "127.0.0.1:$port:5201" "$image" iperf3 -s -p 5201 >/dev/null
	waitport "$port"
	sleep 0.2
	result[$key]=$(iperf3 -c 127.0.0.1 -p "$port" -t "$secs" -J | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))')
	"$@" rm -f iperf >/dev/null
	show "$key" "Gbit/s"
}

# latency KEY TOOL ARGS...: median time of one HTTP request through a
# published port (a new connection each), over 200 requests, in ms.
latency() {
	local key=$1 port
	shift
	port=$(freeport)
	"$@" run -d --name web "${netflags[@]}" -p "127.0.0.1:$port:80" "$image" sh -c 'mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
	waitport "$port"
	result[$key]=$(for _ in $(seq 1 200); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/"; done |
		sort -n | awk '{ a[NR] = $1 } END { printf "%.3f\n", a[int((NR + 1) / 2)] * 1000 }')
	"$@" rm -f web >/dev/null
	show "$key" "ms"
}

start() { # start KEY TOOL ARGS... -- RUN-FLAGS...
	local key=$1
	shift
	result[$key]=$(median "$@" true)
	show "$key" "ms"
}

echo "bench-network: making the image (busybox and the host's iperf3 with its libraries)"
bench_netbox_image

echo "pod (stacks of the containers' own; bench/usernet.sh measures the default network's bridge):"
netflags=(--network pasta)
throughput "pod pasta throughput" "$pod" "${pod_args[@]}"
latency "pod pasta request latency" "$pod" "${pod_args[@]}"
netflags=(--network slirp4netns)
throughput "pod slirp4netns throughput" "$pod" "${pod_args[@]}"
latency "pod slirp4netns request latency" "$pod" "${pod_args[@]}"
start "pod run --rm true (pasta)" "$pod" "${pod_args[@]}" run --rm --network pasta "$image"
start "pod run --rm true (slirp4netns)" "$pod" "${pod_args[@]}" run --rm --network slirp4netns "$image"
start "pod run --rm true (--network none)" "$pod" "${pod_args[@]}" run --rm --network none "$image"

have_podman=
if command -v podman >/dev/null; then
	have_podman=1
	echo "podman ($(podman --version), slirp4netns + rootlesskit port handler):"
	podman "${podman_args[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1
	netflags=("${podman_net[@]}")
	throughput "podman throughput" podman "${podman_args[@]}"
	latency "podman request latency" podman "${podman_args[@]}"
	start "podman run --rm true (slirp4netns)" podman "${podman_args[@]}" run --rm "${podman_net[@]}" "$image"
	start "podman run --rm true (--network none)" podman "${podman_args[@]}" run --rm --network none "$image"
else
	echo "podman: not installed, skipped"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }
diff() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f ms", a - b }'; }
echo "network start overhead (goal under 20 ms):"
echo "  pod pasta:       $(diff "${result[pod run --rm true (pasta)]}" "${result[pod run --rm true (--network none)]}")"
echo "  pod slirp4netns: $(diff "${result[pod run --rm true (slirp4netns)]}" "${result[pod run --rm true (--network none)]}")"
if [ -n "$have_podman" ]; then
	echo "  podman:          $(diff "${result[podman run --rm true (slirp4netns)]}" "${result[podman run --rm true (--network none)]}")"
	echo "ratios:"
	echo "  throughput pod pasta/podman:        $(ratio "${result[pod pasta throughput]}" "${result[podman throughput]}") (goal at least 1x)"
	echo "  throughput pod slirp4netns/podman:  $(ratio "${result[pod slirp4netns throughput]}" "${result[podman throughput]}")"
	echo "  request latency pod pasta/podman:   $(ratio "${result[pod pasta request latency]}" "${result[podman request latency]}")"
fi
