#!/usr/bin/env bash
# make demo: builds the image of examples/hello and runs it rootless.
# As root it runs itself as the unprivileged user podtest ($POD_TEST_USER),
# made by hack/testuser.sh. DEMO_BUILDER=build (default) uses `pod build`
# and the example's Containerfile (FROM scratch, ADD of a busybox rootfs
# tar: no network needed); DEMO_BUILDER=import imports the rootfs tar with
# --change CMD. The container runs with the named volume demo-data.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
image=localhost/demo/hello:latest
builder=${DEMO_BUILDER:-build}

if [ "$(id -u)" -eq 0 ]; then
	user=${POD_TEST_USER:-podtest}
	if ! getent passwd "$user" >/dev/null; then
		echo "demo: user $user missing: run hack/testuser.sh as root" >&2
		exit 1
	fi
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	home=$(getent passwd "$user" | cut -d: -f6)
	# A copy the user can read (the checkout may sit in root's home).
	work=$(mktemp -d /tmp/pod-demo.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	mkdir -p "$work/bin" "$work/hack" "$work/examples"
	cp "$repo/bin/pod" "$repo/bin/pod-monitor" "$work/bin/"
	cp "$repo/hack/demo.sh" "$repo/hack/mkrootfs.sh" "$work/hack/"
	cp -r "$repo/examples/hello" "$work/examples/"
	chmod -R a+rX "$work"
	chown -R "$uid:$gid" "$work"
	# What a login session (pam_systemd) would provide.
	run=/run/user/$uid
	if ! [ -d "$run" ]; then
		install -d -m 0700 -o "$uid" -g "$gid" "$run"
	fi
	echo "==> running the demo as $user (uid $uid), rootless"
	setpriv --reuid="$uid" --regid="$gid" --init-groups \
		env -i HOME="$home" USER="$user" LOGNAME="$user" PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
		XDG_RUNTIME_DIR="$run" DEMO_BUILDER="$builder" TERM="${TERM:-dumb}" \
		bash "$work/hack/demo.sh"
	exit
fi

pod=$repo/bin/pod
if ! [ -x "$pod" ]; then
	echo "demo: $pod missing: run make build" >&2
	exit 1
fi
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT

echo "==> making a rootfs from busybox-static"
"$repo/hack/mkrootfs.sh" "$ctx/rootfs"

case $builder in
import)
	install -m 0755 "$repo/examples/hello/hello.sh" "$ctx/rootfs/usr/local/bin/hello"
	tar -C "$ctx/rootfs" --numeric-owner --owner=0 --group=0 -cf "$ctx/rootfs.tar" .
	echo "==> pod import --change 'CMD [\"/usr/local/bin/hello\"]' rootfs.tar $image"
	"$pod" import --change 'CMD ["/usr/local/bin/hello"]' --message "pod demo: examples/hello" "$ctx/rootfs.tar" "$image"
	;;
build)
	tar -C "$ctx/rootfs" --numeric-owner --owner=0 --group=0 -cf "$ctx/rootfs.tar" .
	rm -rf "$ctx/rootfs"
	cp "$repo/examples/hello/Containerfile" "$repo/examples/hello/hello.sh" "$ctx/"
	echo "==> pod build -t $image examples/hello"
	"$pod" build -t "$image" "$ctx"
	;;
*)
	echo "demo: DEMO_BUILDER must be import or build, not $builder" >&2
	exit 1
	;;
esac

echo "==> pod images"
"$pod" images
echo "==> pod run --rm -v demo-data:/data $image"
"$pod" run --rm -v demo-data:/data "$image"
echo "==> done: the image stays in $(id -un)'s storage; try: pod run --rm -it $image sh"
