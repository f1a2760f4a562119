#!/usr/bin/env bash
# Usage: hack/vm-image.sh
#
# Prints the directory of the test VM's image (disk.img, vmlinuz,
# initrd.img), building it first when the cache has none for this
# script's inputs. The image is a Debian bookworm tree made by mmdebstrap
# (as root) with systemd, cgroup v2, the OCI runtimes and the test user
# podtest (lingering, with subordinate ids), turned into a sparse ext4
# disk image by mkfs.ext4 -d. test/vm boots it with qemu.
#
# The cache is $POD_VM_CACHE, default /var/cache/pod-vm as root, else
# ${XDG_CACHE_HOME:-~/.cache}/pod-vm. An image is kept in a directory named
# by a hash of its inputs (the suite, the package list, the customize
# script, the disk size and the harness version below), built in a
# temporary directory and renamed into place when complete, so a killed
# build leaves nothing that looks usable. Builds of the same image wait for
# each other (flock). The last build's log is $cache/vm-image.log. Images of
# other inputs unused for two weeks are removed after a build.
set -euo pipefail
cd "$(dirname "$0")/.."

# Bump when the harness's expectations of the image change in a way the
# inputs below do not show.
version=1
suite=bookworm
mirror=http://deb.debian.org/debian
security=http://deb.debian.org/debian-security
size=8G
customize=hack/vm-customize.sh

packages=(
	linux-image-amd64 # the guest kernel; vmlinuz and initrd.img are taken from /boot
	initramfs-tools   # the initrd (virtio and ext4 are modules in Debian's kernel)
	systemd-sysv      # systemd as PID 1
	udev              # devices, module autoloading
	dbus              # the system bus, for logind
	libpam-systemd    # login sessions registered with logind (runuser -l)
	dbus-user-session # the user's bus at /run/user/UID/bus, for systemctl --user
	uidmap            # newuidmap/newgidmap: rootless user namespaces
	runc              # OCI runtime
	crun              # OCI runtime, pod's first choice
	passt             # pasta: user-mode networking
	slirp4netns       # user-mode networking
	fuse-overlayfs    # pod's storage fallback
	busybox-static    # test images built inside the VM (hack/mkrootfs.sh)
	docker-registry   # a real registry on the guest's loopback (disabled at boot)
	ca-certificates   # TLS registries in tests
	procps            # ps, pgrep, for tests and debugging
	iproute2          # ip, ss, for tests and debugging
	kmod              # modprobe (udev, initramfs-tools)
)

if [ -n "${POD_VM_CACHE:-}" ]; then
	cache=$POD_VM_CACHE
elif [ "$(id -u)" -eq 0 ]; then
	cache=/var/cache/pod-vm
else
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/pod-vm
fi

key=$({
	echo "version $version"
	echo "suite $suite $mirror $security"
	echo "size $size"
	printf 'package %s\n' "${packages[@]}"
	cat "$customize"
} | sha256sum | cut -c1-16)
image=$cache/vm-$suite-$key

complete() {
	[ -s "$1/disk.img" ] && [ -s "$1/vmlinuz" ] && [ -s "$1/initrd.img" ]
}

if complete "$image"; then
	touch "$image" 2>/dev/null || : # its last use, for the pruning below
	echo "$image"
	exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.vm-image.lock"
flock 9
if complete "$image"; then # built meanwhile by another process
	echo "$image"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "vm-image: building the VM image needs root (mmdebstrap --mode=root, mkfs.ext4 -d); run hack/vm-image.sh once as root with POD_VM_CACHE=$cache" >&2
	exit 1
fi
for p in mmdebstrap:mmdebstrap mkfs.ext4:e2fsprogs; do
	if ! command -v "${p%%:*}" >/dev/null; then
		echo "vm-image: ${p%%:*} missing: install ${p#*:} (hack/deps.sh)" >&2
		exit 1
	fi
done

# remove_tree DIR unmounts what a killed mmdebstrap left mounted below DIR
# (/proc, /sys, /dev of the chroot), deepest first, then removes DIR
# without crossing into another file system.
remove_tree() {
	local m
	for m in $(awk -v d="$1/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" || :
	done
	rm -rf --one-file-system "$1"
}

# Builds hold the lock: any other build's temporary directory is a dead
# build's.
for old in "$cache"/.vm-image.tmp-*; do
	[ -e "$old" ] && remove_tree "$old"
done
tmp=$cache/.vm-image.tmp-$key-$$
mkdir -p "$tmp"
step=
cleanup() {
	code=$?
	if [ "$code" -ne 0 ]; then
		echo "vm-image: $step failed (exit $code); log: $cache/vm-image.log" >&2
	fi
	remove_tree "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log=$cache/vm-image.log
: >"$log"
# Everything below logs to vm-image.log and stderr.
exec 3>&1 1> >(tee -a "$log" >&2) 2>&1

start=$(date +%s)
step="mmdebstrap (download and install ${#packages[@]} packages)"
echo "vm-image: $step into $tmp/tree"
include=$(IFS=,; echo "${packages[*]}")
mmdebstrap --mode=root --variant=minbase --format=directory \
	--include="$include" \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--dpkgopt='path-include=/usr/share/locale/locale.alias' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-include=/usr/share/doc/*/copyright' \
	--customize-hook="$PWD/$customize" \
	"$suite" "$tmp/tree" \
	"deb $mirror $suite main" \
	"deb $mirror $suite-updates main" \
	"deb $security $suite-security main"

step="taking the kernel and initrd from the tree's /boot"
kernel=$(ls "$tmp"/tree/boot/vmlinuz-* | sort -V | tail -n1)
initrd=$(ls "$tmp"/tree/boot/initrd.img-* | sort -V | tail -n1)
cp "$kernel" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd.img"
# mmdebstrap empties /etc/machine-id when it cleans up; an empty one would
# make every boot a first boot.
step="writing /etc/machine-id"
echo "$key$key" >"$tmp/tree/etc/machine-id"
chroot "$tmp/tree" dpkg-query -W -f='${Package} ${Version}\n' >"$tmp/packages.txt"

step="mkfs.ext4 -d (a sparse $size disk image)"
echo "vm-image: $step"
truncate -s "$size" "$tmp/disk.img"
mkfs.ext4 -q -F -L podvm -E lazy_itable_init=0,lazy_journal_init=0 -d "$tmp/tree" "$tmp/disk.img"
rm -rf --one-file-system "$tmp/tree"

step="moving the image into the cache"
mv -T "$tmp" "$image"
# Images of other inputs that nobody used for two weeks go.
find "$cache" -mindepth 1 -maxdepth 1 -type d -name "vm-$suite-*" ! -path "$image" -mtime +14 \
	-exec echo "vm-image: removing unused {}" \; -exec rm -rf {} +
echo "vm-image: built $image in $(($(date +%s) - start))s ($(du -sh "$image/disk.img" | cut -f1) used of $size)"
echo "$image" >&3
