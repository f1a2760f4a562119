#!/usr/bin/env bash
# Usage: hack/systemd-image.sh [systemd|distrobox]
#
# Prints the path of a tar of a small Debian bookworm root filesystem: with
# systemd as /sbin/init, the image the tests of pod run --systemd import,
# or (distrobox) with what distrobox-init needs already inside (sudo, bc,
# curl, ...: the tests have no network to install it); builds it with
# mmdebstrap first when the cache has none for this script's inputs. The cache is the VM image's (hack/vm-image.sh): $POD_VM_CACHE,
# default /var/cache/pod-vm as root, else ${XDG_CACHE_HOME:-~/.cache}/pod-vm.
# The tar is written beside its final name and renamed when complete, so a
# killed build leaves nothing that looks usable (and the next build removes
# what it left).
set -euo pipefail
cd "$(dirname "$0")/.."

suite=bookworm
mirror=http://deb.debian.org/debian
profile=${1:-systemd}
case $profile in
systemd) packages=(systemd systemd-sysv) ;;
distrobox) packages=(sudo bc curl wget less lsof time pinentry-curses procps diffutils findutils passwd util-linux ncurses-base) ;;
*)
	echo "systemd-image: unknown image $profile (systemd or distrobox)" >&2
	exit 1
	;;
esac

if [ -n "${POD_VM_CACHE:-}" ]; then
	cache=$POD_VM_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/pod-vm
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/pod-vm
fi
key=$({
	echo "suite $suite $mirror"
	printf 'package %s\n' "${packages[@]}"
} | sha256sum | cut -c1-16)
out=$cache/$profile-$suite-$key.tar

if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi
mkdir -p "$cache"
exec 9>"$cache/.$profile-lock"
flock 9
if [ -s "$out" ]; then # built meanwhile by another process
	echo "$out"
	exit 0
fi
if ! command -v mmdebstrap >/dev/null; then
	echo "systemd-image: mmdebstrap missing: install mmdebstrap (hack/deps.sh)" >&2
	exit 1
fi
rm -f "$cache"/.$profile-*.tar # a killed build's
tmp=$cache/.$profile-$key-$$.tar
trap 'rm -f "$tmp"' EXIT
log=$cache/$profile-build.log
include=$(IFS=,; echo "${packages[*]}")
if ! mmdebstrap --variant=minbase --format=tar --include="$include" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	"$suite" "$tmp" "deb $mirror $suite main" >"$log" 2>&1; then
	echo "systemd-image: mmdebstrap failed; its log:" >&2
	tail -n 30 "$log" >&2
	exit 1
fi
mv "$tmp" "$out"
trap - EXIT
echo "$out"
