package container

import (
	"fmt"
	"path/filepath"
	"strconv"
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

// DeviceMapping is one --device: a host device node, where the container
// sees it, and what it may do with it (r, w, m).
type DeviceMapping struct {
	Host, Container, Perms string
}

// ParseDevice reads --device HOST[:CONTAINER][:PERMS].
func ParseDevice(s string) (DeviceMapping, error) {
	parts := strings.Split(s, ":")
	d := DeviceMapping{Host: parts[0], Perms: "rwm"}
	switch len(parts) {
	case 1:
	case 2:
		if isPerms(parts[1]) {
			d.Perms = parts[1]
		} else {
			d.Container = parts[1]
		}
	case 3:
		d.Container, d.Perms = parts[1], parts[2]
	default:
		return d, fmt.Errorf("--device %q: HOST[:CONTAINER][:PERMS]", s)
	}
	if d.Container == "" {
		d.Container = d.Host
	}
	if !filepath.IsAbs(d.Host) || !filepath.IsAbs(d.Container) {
		return d, fmt.Errorf("--device %q: give absolute paths", s)
	}
	if !isPerms(d.Perms) {
		return d, fmt.Errorf("--device %q: permissions are some of r, w and m", s)
	}
	return d, nil
}

func isPerms(s string) bool {
	return s != "" && strings.Trim(s, "rwm") == "" && len(s) <= 3
}

// DeviceRule is one --device-cgroup-rule: TYPE MAJOR:MINOR PERMS, as the
// device cgroup writes it ("c 1:3 mr", "b 8:* rw", "a *:* rwm"); -1 for *.
type DeviceRule struct {
	Type         string
	Major, Minor int64
	Perms        string
}

// ParseDeviceRule reads a --device-cgroup-rule.
func ParseDeviceRule(s string) (DeviceRule, error) {
	bad := func(why string) (DeviceRule, error) {
		return DeviceRule{}, fmt.Errorf("--device-cgroup-rule %q: %s (TYPE MAJOR:MINOR PERMS, such as \"c 1:3 mr\")", s, why)
	}
	f := strings.Fields(s)
	if len(f) != 3 {
		return bad("three fields")
	}
	r := DeviceRule{Type: f[0], Perms: f[2]}
	if r.Type != "a" && r.Type != "b" && r.Type != "c" {
		return bad("the type is a, b or c")
	}
	maj, min, ok := strings.Cut(f[1], ":")
	if !ok {
		return bad("give MAJOR:MINOR")
	}
	for _, x := range []struct {
		s   string
		dst *int64
	}{{maj, &r.Major}, {min, &r.Minor}} {
		if x.s == "*" {
			*x.dst = -1
			continue
		}
		n, err := strconv.ParseInt(x.s, 10, 64)
		if err != nil || n < 0 {
			return bad(fmt.Sprintf("%q is no device number or *", x.s))
		}
		*x.dst = n
	}
	if !isPerms(r.Perms) {
		return bad("permissions are some of r, w and m")
	}
	return r, nil
}
