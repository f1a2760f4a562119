#!/bin/bash
# The test VM's runner (the host writes it to /shared/runner.sh at every
# start): pod-vm-runner.service (hack/vm-customize.sh) starts it once
# /shared is mounted; it runs the requests the host drops into /shared/req
# and writes their results to /shared/res.
#
# A request is a directory req/ID, renamed into place whole by the host,
# holding script (run by bash), user (root, or a user whose script runs in
# a login session of its own through runuser -l) and timeout (seconds).
# The runner moves it to run/ID and runs it in the background; when it is
# done, res/.tmp-ID, holding stdout, stderr, code and, when the timeout
# killed the script, timedout, is renamed to res/ID. The host removes
# run/ID and res/ID. ready holds the boot ID, written when the runner
# starts. Forks are few: each costs tens of milliseconds under emulation.
set -u
S=/shared
mkdir -p "$S/req" "$S/run" "$S/res"

handle() {
	local id=$1 user timeout code start
	local d=$S/run/$id out=$S/res/.tmp-$id
	mkdir "$out" || return
	read -r user <"$d/user"
	read -r timeout <"$d/timeout"
	start=$EPOCHSECONDS
	if [ "$user" = root ]; then
		(cd /root && HOME=/root USER=root LOGNAME=root LANG=C.UTF-8 \
			exec timeout --kill-after=10 "$timeout" bash "$d/script") \
			</dev/null >"$out/stdout" 2>"$out/stderr"
	else
		# A login session (pam_systemd) gives XDG_RUNTIME_DIR and the
		# user's bus as on a real login, so systemctl --user works.
		timeout --kill-after=10 "$timeout" runuser -l "$user" -c \
			"export XDG_RUNTIME_DIR=\${XDG_RUNTIME_DIR:-/run/user/\$(id -u)}
			export DBUS_SESSION_BUS_ADDRESS=\${DBUS_SESSION_BUS_ADDRESS:-unix:path=\$XDG_RUNTIME_DIR/bus}
			export LANG=C.UTF-8
			exec bash $d/script" \
			</dev/null >"$out/stdout" 2>"$out/stderr"
	fi
	code=$?
	if [ "$code" -eq 124 ] && [ $((EPOCHSECONDS - start)) -ge "$timeout" ]; then
		: >"$out/timedout"
	fi
	echo "$code" >"$out/code"
	mv "$out" "$S/res/$id"
}

boot=$(</proc/sys/kernel/random/boot_id)
echo "$boot" >"$S/.ready.tmp"
mv -f "$S/.ready.tmp" "$S/ready"
echo "pod-vm-runner: ready (boot $boot)"

# read -t on a FIFO nobody writes sleeps without a fork.
mkfifo -m 0600 /run/pod-vm-runner.sleep 2>/dev/null
exec 8<>/run/pod-vm-runner.sleep
shopt -s nullglob
while :; do
	for r in "$S"/req/*; do
		id=${r##*/}
		mv "$r" "$S/run/$id" || continue
		handle "$id" &
	done
	read -r -t 0.1 -u 8 || :
done
