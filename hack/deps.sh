#!/usr/bin/env bash
# Installs the Debian packages pod's build, tests and demo need, skipping
# the ones already present. Uses sudo when not run as root.
set -euo pipefail

packages=(
	runc            # OCI runtime (default on this project's CI)
	crun            # OCI runtime, preferred when present
	uidmap          # newuidmap/newgidmap: the rootless user namespace
	slirp4netns     # user-mode networking
	passt           # pasta: user-mode networking
	fuse-overlayfs  # storage fallback when native overlay is refused
	busybox-static  # test and demo images, built with no network
	util-linux      # nsenter (joining the pause process), setpriv, runuser
	git             # build contexts from git
	docker-registry # a real registry for the tests
	skopeo          # third-party client checking what pod writes
	podman-compose  # third-party client: compose files through pod as podman
	distrobox       # third-party client: a Debian box entered through pod as podman
	gcc             # cgo for go test -race
	cpp             # build's Dockerfile.in preprocessing (--cpp-flag)
	libc6-dev
	make
	ca-certificates
	procps          # ps, for debugging failed tests
	dnsmasq-base    # a DNS server on 127.0.0.1 for the network tests (DNS through the stack's forwarder)
	iperf3          # make bench-network: TCP throughput through a published port
	mmdebstrap      # make test-vm: the Debian image of the systemd test VM (hack/vm-image.sh)
	e2fsprogs       # make test-vm: mkfs.ext4 -d turns the image's tree into a disk
	qemu-system-x86 # make test-vm: boots the VM (software emulation, no KVM needed)
	qemu-utils      # make test-vm: qemu-img, the VM's copy-on-write overlay disk
)

missing=()
for p in "${packages[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all packages present"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "deps: missing packages ${missing[*]}; run this script as root (no sudo found)" >&2
		exit 1
	fi
	sudo=(sudo)
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
