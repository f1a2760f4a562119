#!/usr/bin/env bash
# Fails when a library package (anything outside cmd/, test/ and bench/)
# depends, directly or not, on cobra, pflag or pod's cmd packages.
set -euo pipefail
cd "$(dirname "$0")/.."

tags="containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper"
module=$(go list -m)
bad=$(go list -tags "$tags" -f '{{.ImportPath}} {{join .Deps " "}}' ./... |
	awk -v m="$module" '
		$1 ~ "^" m "/(cmd|test|bench)(/|$)" { next }
		{
			for (i = 2; i <= NF; i++)
				if ($i ~ /^github\.com\/spf13\/(cobra|pflag)(\/|$)/ || index($i, m "/cmd/") == 1 || $i == m "/cmd")
					printf "%s imports %s\n", $1, $i
		}')
if [ -n "$bad" ]; then
	echo "library packages must not import cobra, pflag or cmd/:" >&2
	echo "$bad" >&2
	exit 1
fi
echo "check-imports: ok"
