#!/usr/bin/env bash
# Installs the drop-in links podman and docker to pod into DIR (make
# install-compat COMPAT_DIR=DIR): pod called by either name answers to it
# in usage lines, messages and version. A link is never made over an
# existing file, nor where it would come before a real podman or docker
# on PATH, unless asked with FORCE=1 (the existing file still stays).
set -euo pipefail

dir=${1:?usage: install-compat.sh DIR [POD]}
pod=${2:-$(command -v pod || true)}
if [ -z "$pod" ] || [ ! -x "$pod" ]; then
	echo "install-compat: no pod executable to link to (give its path, or install pod first)" >&2
	exit 1
fi
pod=$(readlink -f "$pod")
mkdir -p "$dir"
dir=$(cd "$dir" && pwd -P)

# position DIR: DIR's place on PATH (0 for not on it).
position() {
	local i=0 d
	local IFS=:
	for d in $PATH; do
		i=$((i + 1))
		if [ -n "$d" ] && [ "$(cd "$d" 2>/dev/null && pwd -P)" = "$1" ]; then
			echo "$i"
			return
		fi
	done
	echo 0
}

ours=$(position "$dir")
status=0
for name in podman docker; do
	link="$dir/$name"
	if [ -L "$link" ] && [ "$(readlink -f "$link")" = "$pod" ]; then
		echo "install-compat: $link is already pod"
		continue
	fi
	if [ -e "$link" ] || [ -L "$link" ]; then
		echo "install-compat: $link exists and is not pod: left alone (remove it to put pod there)" >&2
		status=1
		continue
	fi
	real=$(PATH=$(echo "$PATH" | tr ':' '\n' | while read -r d; do [ "$(cd "$d" 2>/dev/null && pwd -P)" != "$dir" ] && echo "$d"; done | paste -sd:) command -v "$name" || true)
	if [ -n "$real" ] && [ "$ours" -gt 0 ] && [ "$ours" -lt "$(position "$(cd "$(dirname "$real")" && pwd -P)")" ] && [ "${FORCE:-0}" != 1 ]; then
		echo "install-compat: $dir comes before $real on PATH: a $name link there would hide the real $name; not made (FORCE=1 makes it)" >&2
		status=1
		continue
	fi
	ln -s "$pod" "$link"
	echo "install-compat: $link -> $pod"
done
if [ "$ours" = 0 ]; then
	echo "install-compat: $dir is not on PATH: add it to call pod as podman or docker"
fi
exit $status
