#!/usr/bin/env bash
# Prepares this machine, as root, for running pod rootless in tests and the
# demo: the unprivileged user podtest (or $POD_TEST_USER) with ranges in
# /etc/subuid and /etc/subgid, the user podnosub with none (for the
# preflight test), and /dev/net/tun usable by unprivileged users.
# Everything is added only if missing.
set -euo pipefail

user=${POD_TEST_USER:-podtest}
# Two 65536 blocks: --userns auto takes ranges of its own beyond the
# 65536 IDs an image's files may use.
count=131072

if [ "$(id -u)" -ne 0 ]; then
	echo "testuser: must run as root (it creates users and edits /etc/subuid)" >&2
	exit 1
fi

# Creates a user with no automatic subordinate ids (we add our own).
ensure_user() {
	local name=$1 home_opt=$2
	if ! getent passwd "$name" >/dev/null; then
		echo "testuser: creating user $name"
		useradd "$home_opt" --shell /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$name"
	fi
}

# Prints the first free start at or above 200000 in a subid file.
next_start() {
	awk -F: -v min=200000 'NF == 3 { end = $2 + $3; if (end > min) min = end } END { print min }' "$1"
}

ensure_range() {
	local file=$1 flag=$2
	touch "$file"
	local have start
	have=$(awk -F: -v u="$user" -v id="$(id -u "$user")" '($1 == u || $1 == id) && NF == 3 { n += $3 } END { print n + 0 }' "$file")
	if [ "$have" -ge "$count" ]; then
		return
	fi
	start=$(next_start "$file")
	echo "testuser: adding $user:$start:$((count - have)) to $file"
	usermod "$flag" "$start-$((start + count - have - 1))" "$user"
}

ensure_user "$user" --create-home
ensure_range /etc/subuid --add-subuids
ensure_range /etc/subgid --add-subgids

ensure_user podnosub --no-create-home
for f in /etc/subuid /etc/subgid; do
	if grep -q "^podnosub:" "$f" 2>/dev/null; then
		echo "testuser: removing podnosub's range from $f"
		sed -i '/^podnosub:/d' "$f"
	fi
done

if [ -e /dev/net/tun ] && [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
	echo "testuser: chmod 0666 /dev/net/tun"
	chmod 0666 /dev/net/tun
fi

# User namespaces must be allowed for unprivileged users.
max=$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 1)
if [ "$max" = 0 ]; then
	echo "testuser: user.max_user_namespaces is 0; enabling (sysctl -w user.max_user_namespaces=15000)"
	sysctl -qw user.max_user_namespaces=15000
fi
if [ "$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null || echo 0)" = 1 ]; then
	echo "testuser: kernel.apparmor_restrict_unprivileged_userns is 1; setting it to 0"
	sysctl -qw kernel.apparmor_restrict_unprivileged_userns=0
fi
echo "testuser: $user ready ($(grep "^$user:" /etc/subuid))"
