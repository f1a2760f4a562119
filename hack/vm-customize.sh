#!/bin/sh
# Usage: hack/vm-customize.sh TREE
# mmdebstrap's --customize-hook for the test VM (hack/vm-image.sh): makes
# the installed bookworm tree bootable under qemu and ready for pod's
# systemd tests. Runs on the host, as root, with TREE the new root.
set -eu
root=${1:?usage: vm-customize.sh TREE}
user=podtest
uid=1000

echo podvm >"$root/etc/hostname"
cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	podvm
::1		localhost ip6-localhost ip6-loopback
EOF

# The disk is the whole of /dev/vda (no partition table), mounted rw by
# the kernel (root=/dev/vda rw): no fsck. The host's shared directory is
# virtio-9p; nofail, so that a boot without it still reaches a shell.
cat >"$root/etc/fstab" <<'EOF'
/dev/vda	/	ext4	rw,errors=remount-ro	0	0
shared	/shared	9p	trans=virtio,version=9p2000.L,msize=262144,cache=none,nofail	0	0
EOF
mkdir -p "$root/shared"

# The test user: uid 1000, subordinate ids, lingering so that its
# systemd --user starts at boot and outlives every session.
chroot "$root" useradd --create-home --uid "$uid" --user-group --shell /bin/bash \
	-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
echo "$user:100000:65536" >"$root/etc/subuid"
echo "$user:100000:65536" >"$root/etc/subgid"
mkdir -p "$root/var/lib/systemd/linger"
touch "$root/var/lib/systemd/linger/$user"

# The runner: runs the requests the host drops into /shared (the script
# is the host's, written into /shared at every start; see test/vm).
cat >"$root/etc/systemd/system/pod-vm-runner.service" <<'EOF'
[Unit]
Description=pod test VM: runs the host's requests from /shared
RequiresMountsFor=/shared
After=systemd-user-sessions.service systemd-logind.service

[Service]
Type=simple
ExecStart=/bin/bash /shared/runner.sh
# Processes a request started (a rootful pod's monitors) outlive the
# runner's restart; a shutdown ends them all anyway.
KillMode=process
Restart=on-failure
RestartSec=1

[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable pod-vm-runner.service

# Nothing runs at boot that the tests do not ask for: the registry (tests
# start their own on a port of their choosing) and apt's timers (no
# network).
chroot "$root" systemctl disable docker-registry.service
chroot "$root" systemctl mask apt-daily.timer apt-daily-upgrade.timer

# A journal kept across reboots, for tests that read the previous boot's.
mkdir -p "$root/var/log/journal"
