#!/bin/sh
# The demo's container program: greets and shows it runs rootless.
echo "Hello from pod!"
echo "  I run as $(id -un) (uid $(id -u)) in the container, on host $(hostname)."
echo "  My uid map (container uid, host uid, count):"
while read -r inside outside count; do
	echo "    $inside $outside $count"
done < /proc/self/uid_map
