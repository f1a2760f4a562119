#!/usr/bin/env bash
# make bench: the start-up, memory and scaling goals of pod in one table.
# Each path is measured for pod, for Podman (Debian's 4.3.1, runc,
# cgroupfs, file events) when it is installed, and for its floor: runc
# running the very bundle pod writes (same spec), or runc exec'ing into
# pod's container, inside pod's user namespace. Medians of RUNS (default
# 10) runs with hyperfine; CPU is user + system of the call and of the
# children it waits for, less the floor's (the runtime's own). Then the
# monitors' memory beside conmon's with 20 running containers, stop -t 2
# of 20, and the scaling series: run --rm, ps -a, inspect and images with
# 0, 200 and 1,000 containers and with 10, 200 and 500 images.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-10}
image=localhost/bench/busybox:latest

. "$repo/bench/lib.sh"
bench_as_user bench RUNS

pod=$repo/bin/pod
[ -x "$pod" ] || { echo "bench: $pod missing: run make build" >&2; exit 1; }
for p in hyperfine runc; do
	command -v "$p" >/dev/null || { echo "bench: $p missing (apt-get install $p)" >&2; exit 1; }
done
bench_work bench-table
export RUNS=$runs
P=("$pod" "${pod_args[@]}")
have_podman=
if command -v podman >/dev/null; then have_podman=1; fi
M=(podman "${podman_args[@]}")

# hf NAME CMD...: sets med[NAME] and cpu[NAME] (ms).
declare -A med cpu
hf() {
	local name=$1 out
	shift
	out=$(bash "$repo/bench/hf.sh" "$@")
	med[$name]=${out% *}
	cpu[$name]=${out#* }
}
# inns NAME CMD...: hf inside pod's user namespace.
inns() {
	local name=$1 out
	shift
	out=$("${P[@]}" unshare env RUNS="$runs" bash "$repo/bench/hf.sh" "$@")
	med[$name]=${out% *}
	cpu[$name]=${out#* }
}
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
ratio() { [ -n "${2:-}" ] && [ -n "${1:-}" ] && calc "%.2fx" "$1 / $2" || echo "-"; }
# verdict EXPR: met or NOT met, EXPR being an awk expression.
verdict() { awk "BEGIN { print ($1) ? \"met\" : \"NOT met\" }"; }
progress() { printf '  %s\n' "$*" >&2; }

progress "making the busybox image"
"$repo/hack/mkrootfs.sh" "$work/bundle/rootfs"
tar -C "$work/bundle/rootfs" --numeric-owner --owner=0 --group=0 -cf "$work/rootfs.tar" .
"${P[@]}" import "$work/rootfs.tar" "$image" >/dev/null
[ -z "$have_podman" ] || "${M[@]}" import "$work/rootfs.tar" "$image" >/dev/null 2>&1

# The floor of run: pod's own bundle (its config.json, hosts, resolv.conf)
# on an unpacked copy of the image, run by runc in pod's user namespace.
"${P[@]}" run --name floor-src --network none "$image" true >/dev/null
id=$("${P[@]}" ps -a -q --no-trunc --filter name=floor-src | head -1)
ud=$work/pod/runroot/overlay-containers/$id/userdata
mkdir -p "$work/podbundle"
cp -a "$work/bundle/rootfs" "$work/podbundle/rootfs"
"${P[@]}" unshare cat "$ud/config.json" | sed -e "s#\"root\":{\"path\":\"[^\"]*\"#\"root\":{\"path\":\"$work/podbundle/rootfs\"#" >"$work/podbundle/config.json"
for f in hosts hostname resolv.conf; do
	"${P[@]}" unshare cat "$ud/$f" >"$work/podbundle/$f"
	sed -i "s#$ud/$f#$work/podbundle/$f#g" "$work/podbundle/config.json"
done
"${P[@]}" rm floor-src >/dev/null

progress "run --rm"
hf pod_none "${P[@]}" run --rm --network none "$image" true
hf pod_run "${P[@]}" run --rm "$image" true
inns floor_run runc --root "$work/runc-floor" --rootless true run --bundle "$work/podbundle" pod-floor
if [ -n "$have_podman" ]; then
	hf podman_none "${M[@]}" run --rm --network none "$image" true
	hf podman_run "${M[@]}" run --rm "$image" true
fi

progress "exec"
"${P[@]}" run -d --name ex --network none "$image" sleep 1000 >/dev/null
exid=$("${P[@]}" inspect --format '{{.ID}}' ex)
hf pod_exec "${P[@]}" exec ex true
inns floor_exec runc --root "$work/pod/runroot/runtime-runc" --rootless true exec "$exid" true
if [ -n "$have_podman" ]; then
	"${M[@]}" run -d --name ex --network none "$image" sleep 1000 >/dev/null
	hf podman_exec "${M[@]}" exec ex true
	"${M[@]}" rm -f -t 0 ex >/dev/null
fi
"${P[@]}" rm -f -t 0 ex >/dev/null

progress "build, cached"
ctx=$work/ctx
mkdir -p "$ctx/dir"
echo a >"$ctx/a.txt"
echo late >"$ctx/late.txt"
for i in 1 2 3; do echo "$i" >"$ctx/dir/f$i"; done
{
	echo "FROM $image"
	echo "ARG V=1"
	echo "ENV APP=/app"
	echo "LABEL bench=build"
	echo "WORKDIR /app"
	echo "RUN mkdir -p /app/data"
	echo "COPY a.txt /app/"
	echo "RUN cat /app/a.txt > /app/data/a"
	echo "ENV STEP=9"
	echo "COPY dir/ /app/dir/"
	echo "RUN ls /app/dir > /app/data/list"
	echo "USER root"
	echo "RUN echo 13 > /app/data/s13"
	echo "EXPOSE 8080"
	echo "RUN echo 15 > /app/data/s15"
	echo "ENV STEP=16"
	echo "LABEL late=yes"
	echo "COPY late.txt /app/"
	echo "RUN wc -c /app/late.txt > /app/data/late"
	echo 'CMD ["sh"]'
} >"$ctx/Dockerfile"
"${P[@]}" build -q -t bench/app:1 "$ctx" >/dev/null
hf pod_build "${P[@]}" build -q -t bench/app:1 "$ctx"
if [ -n "$have_podman" ]; then
	"${M[@]}" build --layers -q -t bench/app:1 "$ctx" >/dev/null 2>&1
	hf podman_build "${M[@]}" build --layers -q -t bench/app:1 "$ctx"
fi

progress "monitors of 20 running containers, and stop -t 2 of 20"
# mem NAME PID...: mean RSS and PSS (MB) of the processes, from smaps_rollup.
declare -A mem
memof() {
	local name=$1
	shift
	mem[$name]=$(for p in "$@"; do awk '/^Rss:/ { r = $2 } /^Pss:/ { s = $2 } END { print r, s }' "/proc/$p/smaps_rollup"; done |
		awk '{ r += $1; s += $2; n++ } END { if (n) printf "%.2f/%.2f", r / n / 1024, s / n / 1024; else print "-" }')
}
# stopmany NAME TOOL...: 20 containers whose PID 1 ignores SIGTERM (after
# their monitors' memory is read), stopped with -t 2 at once; seconds.
declare -A secs
stopmany() {
	local name=$1 i t0 t1 names=()
	shift
	for i in $(seq 1 20); do
		"$@" run -d --name "s$i" "$image" sleep 1000 >/dev/null
		names+=("s$i")
	done
	sleep 2
	if [ "$name" = pod ]; then
		mapfile -t pids < <(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$XDG_RUNTIME_DIR"/pod/monitors/*.pid)
	else
		mapfile -t pids < <(for n in "${names[@]}"; do "$@" inspect --format '{{.State.ConmonPid}}' "$n"; done)
	fi
	memof "$name" "${pids[@]}"
	t0=$(date +%s%N)
	"$@" stop -t 2 "${names[@]}" >/dev/null 2>&1
	t1=$(date +%s%N)
	"$@" rm -f "${names[@]}" >/dev/null 2>&1
	secs[$name]=$(calc "%.2f" "$((t1 - t0)) / 1e9")
}
stopmany pod "${P[@]}"
[ -z "$have_podman" ] || stopmany podman "${M[@]}"

# The scaling series: each path with the store at each size.
declare -A scale
series() { # series AXIS SIZE
	local key="$1 $2"
	hf s "${P[@]}" run --rm --network none "$image" true
	scale[run $key]=${med[s]}
	hf s "${P[@]}" ps -a
	scale[ps $key]=${med[s]}
	hf s "${P[@]}" inspect ref
	scale[inspect $key]=${med[s]}
	hf s "${P[@]}" images
	scale[images $key]=${med[s]}
}
"${P[@]}" create --name ref "$image" true >/dev/null
have=1
for n in 0 200 1000; do
	progress "scaling: $n containers"
	while [ "$have" -lt "$n" ]; do
		# One in five has run and exited; the others are created.
		if ((have % 5 == 0)); then
			"${P[@]}" run --network none --name "c$have" "$image" true >/dev/null
		else
			"${P[@]}" create --network none --name "c$have" "$image" true >/dev/null
		fi
		have=$((have + 1))
	done
	series containers "$n"
done
"${P[@]}" rm -a -f >/dev/null
"${P[@]}" create --name ref "$image" true >/dev/null
have=$("${P[@]}" images -q | wc -l)
mkdir -p "$work/imgs"
for n in 10 200 500; do
	progress "scaling: $n images"
	while [ "$have" -lt "$n" ]; do
		printf 'x%d' "$have" >"$work/imgs/f"
		tar -C "$work/imgs" -cf "$work/imgs/l.tar" f
		"${P[@]}" import "$work/imgs/l.tar" "localhost/scale/i$have:latest" >/dev/null
		have=$((have + 1))
	done
	series images "$n"
done

# The table.
line() { printf '%-34s %9s %9s %9s %8s %8s %8s  %s\n' "$@"; }
echo
echo "pod $("$pod" version 2>/dev/null | awk '/Version:/ { print $2; exit }'), $(runc --version | head -1)${have_podman:+, $(podman --version)}; medians of $runs runs, ms"
line "path" "pod" "podman" "floor" "/podman" "/floor" "CPU" "goal"
none_cpu=$(calc "%.1f" "${cpu[pod_none]} - ${cpu[floor_run]}")
line "run --rm --network none true" "${med[pod_none]}" "${med[podman_none]:--}" "${med[floor_run]}" \
	"$(ratio "${med[pod_none]}" "${med[podman_none]:-}")" "$(ratio "${med[pod_none]}" "${med[floor_run]}")" "$none_cpu" \
	"<=0.30x podman, <=1.5x floor, CPU <=25: $(verdict "${med[pod_none]} <= 1.5 * ${med[floor_run]} && ${none_cpu} <= 25 && (\"${med[podman_none]:-}\" == \"\" || ${med[pod_none]} <= 0.30 * ${med[podman_none]:-1})")"
line "run --rm true (default network)" "${med[pod_run]}" "${med[podman_run]:--}" "-" \
	"$(ratio "${med[pod_run]}" "${med[podman_run]:-}")" "-" "-" \
	"<=0.35x podman: $(verdict "\"${med[podman_run]:-}\" != \"\" && ${med[pod_run]} <= 0.35 * ${med[podman_run]:-1}")"
line "exec CTR true" "${med[pod_exec]}" "${med[podman_exec]:--}" "${med[floor_exec]}" \
	"$(ratio "${med[pod_exec]}" "${med[podman_exec]:-}")" "$(ratio "${med[pod_exec]}" "${med[floor_exec]}")" \
	"$(calc "%.1f" "${cpu[pod_exec]} - ${cpu[floor_exec]}")" \
	"<=1.3x runc exec: $(verdict "${med[pod_exec]} <= 1.3 * ${med[floor_exec]}")"
line "build, 20 steps, all cached" "${med[pod_build]}" "${med[podman_build]:--}" "-" \
	"$(ratio "${med[pod_build]}" "${med[podman_build]:-}")" "-" "${cpu[pod_build]}" \
	"<=25 ms: $(verdict "${med[pod_build]} <= 25")"
line "images (10 images)" "${scale[images images 10]}" "-" "-" "-" "-" "-" \
	"<=25 ms: $(verdict "${scale[images images 10]} <= 25")"
line "stop -t 2 of 20 (s)" "${secs[pod]}" "${secs[podman]:--}" "2.00" \
	"$(ratio "${secs[pod]}" "${secs[podman]:-}")" "$(ratio "${secs[pod]}" 2)" "-" \
	"about 2 s: $(verdict "${secs[pod]} <= 3")"
rss() { echo "${1%/*}"; }
pss() { echo "${1#*/}"; }
line "monitor RSS/PSS MB (20 running)" "${mem[pod]}" "${mem[podman]:--}" "-" \
	"$(ratio "$(rss "${mem[pod]}")" "$(rss "${mem[podman]:-}")")" "-" "-" \
	"<= conmon: $(verdict "\"${mem[podman]:-}\" != \"\" && $(rss "${mem[pod]}") <= $(rss "${mem[podman]:-0/0}") && $(pss "${mem[pod]}") <= $(pss "${mem[podman]:-0/0}")")"
echo
printf '%-10s %11s %11s %11s %8s %11s %11s %11s %8s  %s\n' "scaling" "0 ctrs" "200 ctrs" "1000 ctrs" "growth" "10 imgs" "200 imgs" "500 imgs" "growth" "goal"
for k in run ps inspect images; do
	g1=$(calc "%+.0f%%" "(${scale[$k containers 1000]} / ${scale[$k containers 0]} - 1) * 100")
	g2=$(calc "%+.0f%%" "(${scale[$k images 500]} / ${scale[$k images 10]} - 1) * 100")
	ok="${scale[$k containers 1000]} < 1.2 * ${scale[$k containers 0]} && ${scale[$k images 500]} < 1.2 * ${scale[$k images 10]}"
	goal="<20% growth"
	if [ "$k" = ps ]; then
		ok="$ok && ${scale[ps containers 1000]} < 50"
		goal="$goal, <50 ms at 1000"
	fi
	printf '%-10s %11s %11s %11s %8s %11s %11s %11s %8s  %s\n' "$k" \
		"${scale[$k containers 0]}" "${scale[$k containers 200]}" "${scale[$k containers 1000]}" "$g1" \
		"${scale[$k images 10]}" "${scale[$k images 200]}" "${scale[$k images 500]}" "$g2" "$goal: $(verdict "$ok")"
done
