#!/usr/bin/env bash
# Usage: hack/mkrootfs.sh DIR
# Makes a minimal rootfs in DIR from the host's static busybox
# (busybox-static): /bin/busybox and its applet links, /etc/passwd with
# root and a uid-1000 user, /etc/group, /tmp (1777), /home/user.
set -euo pipefail
dir=${1:?usage: mkrootfs.sh DIR}
busybox=/bin/busybox
if ! [ -x "$busybox" ]; then
	echo "mkrootfs: $busybox missing: install busybox-static (hack/deps.sh)" >&2
	exit 1
fi
mkdir -p "$dir"/{bin,dev,etc,proc,sys,root,tmp,home/user,usr/bin,usr/local/bin,var}
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
cp "$busybox" "$dir/bin/busybox"
for applet in $("$busybox" --list); do
	[ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
cat > "$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
user:x:1000:1000::/home/user:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > "$dir/etc/group" <<'GROUP'
root:x:0:
user:x:1000:
nogroup:x:65534:
GROUP
