package userns

import "errors"

// Sentinels for the preflight failures; the CLI keys its hints on them.
var (
	// ErrNoSubIDRange: the user has no range in /etc/subuid or /etc/subgid.
	ErrNoSubIDRange = errors.New("no subordinate id range")
	// ErrNoIDMapTools: newuidmap/newgidmap are missing or not privileged.
	ErrNoIDMapTools = errors.New("newuidmap/newgidmap unusable")
	// ErrUsernsDisabled: the kernel or a security module refuses
	// unprivileged user namespaces.
	ErrUsernsDisabled = errors.New("user namespaces disabled")
	// ErrNoNsenter: nsenter (util-linux) is missing.
	ErrNoNsenter = errors.New("nsenter not found")
)
