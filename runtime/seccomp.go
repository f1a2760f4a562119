package runtime

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/profiles/seccomp"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// This file holds a container's security settings: Docker's --security-opt
// values, capabilities and the seccomp filter.

// SecurityOptions is the parsed form of Docker's --security-opt values.
type SecurityOptions struct {
	// Seccomp is "" or "builtin" for the default profile, "unconfined" for
	// none, else the path of a profile file (whose content the container
	// Config keeps in SeccompProfile).
	Seccomp         string
	NoNewPrivileges bool
	// UnconfinedSystemPaths (systempaths=unconfined) drops the masked and
	// read-only paths under /proc and /sys.
	UnconfinedSystemPaths bool
	// WritableCgroups mounts /sys/fs/cgroup read-write.
	WritableCgroups bool
}

// ParseSecurityOpts parses --security-opt values as Docker does: KEY=VALUE
// (or the old KEY:VALUE) with keys seccomp, no-new-privileges[=BOOL],
// systempaths=unconfined, writable-cgroups=BOOL, and label and apparmor,
// which are accepted and have no effect (pod applies neither SELinux labels
// nor AppArmor profiles). Anything else is an error naming the option.
func ParseSecurityOpts(opts []string) (SecurityOptions, error) {
	var s SecurityOptions
	for _, opt := range opts {
		key, value, ok := strings.Cut(opt, "=")
		if !ok {
			key, value, ok = strings.Cut(opt, ":")
		}
		if !ok && opt != "no-new-privileges" {
			return s, fmt.Errorf("invalid --security-opt %q: use KEY=VALUE", opt)
		}
		var err error
		switch key {
		case "seccomp":
			if value == "" {
				err = fmt.Errorf("no seccomp profile given")
			}
			s.Seccomp = value
		case "no-new-privileges":
			s.NoNewPrivileges = true
			if ok {
				s.NoNewPrivileges, err = strconv.ParseBool(value)
			}
		case "systempaths":
			if value != "unconfined" {
				err = fmt.Errorf("only systempaths=unconfined is supported")
			}
			s.UnconfinedSystemPaths = true
		case "writable-cgroups":
			s.WritableCgroups, err = strconv.ParseBool(value)
		case "label", "apparmor":
		default:
			err = fmt.Errorf("unknown option %q", key)
		}
		if err != nil {
			return s, fmt.Errorf("invalid --security-opt %q: %w", opt, err)
		}
	}
	return s, nil
}

// defaultCapabilities are Docker's default capabilities.
var defaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// DefaultCapabilities returns Docker's default capability set.
func DefaultCapabilities() []string { return slices.Clone(defaultCapabilities) }

// allCapabilities lists, as CAP_NAME, every capability the running kernel
// knows that pod itself may hand on (its bounding set, as Podman: root in a
// restricted container does not hold them all).
func allCapabilities() []string {
	caps, err := capability.ListSupported()
	if err != nil {
		caps = capability.ListKnown()
	}
	if self, err := capability.NewPid2(0); err == nil && self.Load() == nil {
		caps = slices.DeleteFunc(caps, func(c capability.Cap) bool { return !self.Get(capability.BOUNDING, c) })
	}
	names := make([]string, 0, len(caps))
	for _, c := range caps {
		names = append(names, "CAP_"+strings.ToUpper(c.String()))
	}
	return names
}

// normalizeCapabilities turns --cap-add/--cap-drop names into CAP_NAME form:
// case insensitive, the CAP_ prefix optional, "ALL" kept; an unknown name
// is an error naming it.
func normalizeCapabilities(names []string) ([]string, error) {
	known := make(map[string]bool)
	for _, c := range capability.ListKnown() {
		known["CAP_"+strings.ToUpper(c.String())] = true
	}
	var out []string
	for _, n := range names {
		c := strings.ToUpper(strings.TrimSpace(n))
		if c != "ALL" && !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		if c != "ALL" && !known[c] {
			return nil, fmt.Errorf("unknown capability %q", n)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// Capabilities returns the capability set of a container with Docker's
// rules: all with --privileged; otherwise the defaults without --cap-drop
// and with --cap-add, where --cap-add ALL starts from every capability and
// --cap-drop ALL from none.
func Capabilities(add, drop []string, privileged bool) ([]string, error) {
	return CapabilitiesFrom(nil, add, drop, privileged)
}

// CapabilitiesFrom is Capabilities from base in place of Docker's default
// set (containers.conf's default_capabilities); nil for Docker's.
func CapabilitiesFrom(base, add, drop []string, privileged bool) ([]string, error) {
	if privileged {
		return allCapabilities(), nil
	}
	adds, err := normalizeCapabilities(add)
	if err != nil {
		return nil, err
	}
	drops, err := normalizeCapabilities(drop)
	if err != nil {
		return nil, err
	}
	if base == nil {
		base = defaultCapabilities
	}
	switch {
	case slices.Contains(adds, "ALL"):
		base, adds = allCapabilities(), nil
	case slices.Contains(drops, "ALL"):
		base = nil
	}
	caps := []string{}
	for _, c := range base {
		if !slices.Contains(drops, c) {
			caps = append(caps, c)
		}
	}
	for _, c := range adds {
		if c != "ALL" && !slices.Contains(caps, c) {
			caps = append(caps, c)
		}
	}
	return caps, nil
}

// seccompFilter returns the seccomp filter for s, whose capabilities are
// already set: Docker's default profile (its rules depend on the
// capabilities), the profile the container was created with, or none.
func seccompFilter(sec SecurityOptions, profile []byte, privileged bool, s *specs.Spec) (*specs.LinuxSeccomp, error) {
	switch {
	case privileged || sec.Seccomp == "unconfined":
		return nil, nil
	case sec.Seccomp == "" || sec.Seccomp == "builtin":
		f, err := seccomp.GetDefaultProfile(s)
		if err != nil {
			return nil, fmt.Errorf("building the default seccomp profile: %w", err)
		}
		return f, nil
	case len(profile) == 0:
		return nil, fmt.Errorf("seccomp profile %s was not loaded when the container was created", sec.Seccomp)
	}
	f, err := seccomp.LoadProfile(string(profile), s)
	if err != nil {
		return nil, fmt.Errorf("loading seccomp profile %s: %w", sec.Seccomp, err)
	}
	return f, nil
}
