package container

import (
	"fmt"
	"path/filepath"
	"strings"
)

// Namespace modes of --ipc, --pid, --uts and --cgroupns: "" is the
// default (the container's own, but --cgroupns where cgroup v1 has none).
const (
	NSHost    = "host"
	NSPrivate = "private"
)

// CheckNamespaceMode checks --ipc/--pid/--uts/--cgroupns: host, private,
// container:NAME or ns:PATH (--ipc also takes shareable and none, as
// Podman; --cgroupns takes no container:).
func CheckNamespaceMode(flag, v string) error {
	switch {
	case v == "" || v == NSHost || v == NSPrivate:
		return nil
	case flag == "--ipc" && (v == "shareable" || v == "none"):
		return nil
	case strings.HasPrefix(v, "container:") && flag != "--cgroupns":
		if strings.TrimPrefix(v, "container:") == "" {
			return fmt.Errorf("%s %s: name the container", flag, v)
		}
		return nil
	case strings.HasPrefix(v, "ns:"):
		if !filepath.IsAbs(strings.TrimPrefix(v, "ns:")) {
			return fmt.Errorf("%s %s: give the namespace's absolute path (ns:/proc/PID/ns/...)", flag, v)
		}
		return nil
	}
	return fmt.Errorf("%s %q: host, private, container:NAME or ns:PATH", flag, v)
}
