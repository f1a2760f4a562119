#!/bin/sh
# The demo's container program: greets and shows it runs rootless.
echo "Hello from pod!"
echo "  I run as $(id -un) (uid $(id -u)) in the container, on host $(hostname)."
echo "  My uid map (container uid, host uid, count):"
while read -r inside outside count; do
	echo "    $inside $outside $count"
done < /proc/self/uid_map
if [ -d /data ]; then
	visits=$(($(cat /data/visits 2>/dev/null || echo 0) + 1))
	echo "$visits" >/data/visits
	echo "  Visit number $visits, counted in the volume mounted on /data."
fi
