#!/usr/bin/env bash
# make bench-registry: pull and push of a ~200 MB image (4 layers of random
# data, made locally by bench/mkimage) against a local registry (Debian's
# docker-registry on 127.0.0.1, plain HTTP), pod against Podman 4.3.1.
# Prints the median wall time of RUNS (default 5) runs and pod/podman.
# Every pull starts with no local copy of the image; every push goes to a
# freshly emptied registry. As root it runs itself as the unprivileged
# user podtest ($POD_TEST_USER). LAYERS and LAYER_MB size the image.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
layers=${LAYERS:-4}
layer_mb=${LAYER_MB:-50}

# The registry's image generator goes with the copy made for the test user.
bench_copy_extra() { (cd "$repo" && CGO_ENABLED=0 go build -o "$1/bin/mkimage" ./bench/mkimage); }
. "$repo/bench/lib.sh"
bench_as_user bench-registry RUNS LAYERS LAYER_MB

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench-registry: $pod missing: run make build" >&2; exit 1; }
for p in docker-registry skopeo podman; do
	command -v "$p" >/dev/null || { echo "bench-registry: $p missing: run hack/deps.sh" >&2; exit 1; }
done
bench_work bench-reg
regpid=
stop_registry() {
	if [ -n "$regpid" ]; then
		kill -KILL "$regpid" 2>/dev/null || true
		wait "$regpid" 2>/dev/null || true
		regpid=
	fi
}
bench_cleanup_extra() { stop_registry; }

# A free port on 127.0.0.1.
port=
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "bench-registry: no free port" >&2; exit 1; }
reg=127.0.0.1:$port
cat >"$work/registry.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $reg
YML

# start_registry [empty]: (re)starts the registry, emptied first if asked.
start_registry() {
	stop_registry
	[ "${1:-}" = empty ] && rm -rf "$work/registry"
	docker-registry serve "$work/registry.yml" >>"$work/registry.log" 2>&1 &
	regpid=$!
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
		sleep 0.05
	done
	echo "bench-registry: the registry did not start:" >&2
	cat "$work/registry.log" >&2
	exit 1
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bench NAME PREPARE CMD...: runs PREPARE (untimed) then CMD, RUNS times;
# prints and records the median in milliseconds.
declare -A result
bench() {
	local name=$1 prepare=$2
	shift 2
	local times=() t0 t1
	for _ in $(seq "$runs"); do
		$prepare
		t0=$(now_ms)
		if ! "$@" >"$work/cmd.log" 2>&1; then
			echo "bench-registry: $* failed:" >&2
			cat "$work/cmd.log" >&2
			exit 1
		fi
		t1=$(now_ms)
		times+=($((t1 - t0)))
	done
	local median
	median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}')
	result[$name]=$median
	printf '  %-12s median %7s ms   (runs: %s)\n' "$name" "$median" "${times[*]}"
}

mkimage=${MKIMAGE:-$(dirname "$pod")/mkimage}
if [ ! -x "$mkimage" ]; then
	mkimage=$work/mkimage
	(cd "$repo" && CGO_ENABLED=0 go build -o "$mkimage" ./bench/mkimage)
fi
echo "bench-registry: making a $layers x $layer_mb MB image"
"$mkimage" -dir "$work/layout" -layers "$layers" -size $((layer_mb * 1024 * 1024)) -tag big
start_registry empty
skopeo copy -q --dest-tls-verify=false "oci:$work/layout:big" "docker://$reg/bench/big:1"
image=$reg/bench/big:1
size=$(du -sm "$work/registry" | cut -f1)
echo "bench-registry: registry $reg, image $image ($size MB in the registry), $runs runs each"

rm_pod() { "$pod" "${pod_args[@]}" rmi -f "$image" >/dev/null 2>&1 || true; }
rm_podman() { podman "${podman_args[@]}" rmi -f "$image" >/dev/null 2>&1 || true; }
fresh_registry() { start_registry empty; }

echo "pull (no local copy):"
bench pod-pull rm_pod "$pod" "${pod_args[@]}" pull -q "$image"
bench podman-pull rm_podman podman "${podman_args[@]}" pull -q --tls-verify=false "$image"
# Both now hold the image; each push goes to an empty registry.
echo "push (empty registry):"
bench pod-push fresh_registry "$pod" "${pod_args[@]}" push -q "$image" "$reg/bench/pushed:1"
bench podman-push fresh_registry podman "${podman_args[@]}" push -q --tls-verify=false "$image" "$reg/bench/pushed:1"

echo "ratios (pod / podman; below 1.00 means pod is faster):"
for op in pull push; do
	awk -v a="${result[pod-$op]}" -v b="${result[podman-$op]}" -v op="$op" \
		'BEGIN { printf "  %-5s %.2f  (pod %s ms, podman %s ms)\n", op, a / b, a, b }'
done
