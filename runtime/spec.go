package runtime

import (
	"bufio"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
)

// SpecOptions is what the spec of a container needs beyond its Config: the
// values resolved at start against its mounted root filesystem and image.
type SpecOptions struct {
	Rootfs string // the mounted container root filesystem (absolute path)
	// Rootless: pod runs inside its user namespace (uid 0 there, not real
	// root), so no cgroups, no host devices, and limits it cannot raise.
	Rootless bool
	// Host files bind-mounted over /etc/hosts, /etc/hostname and
	// /etc/resolv.conf; "" mounts none.
	HostsFile, HostnameFile, ResolvConfFile string
	User                                    container.ExecUser // from container.ResolveUser
	ProcessArgs                             []string           // from container.Command
	Env                                     []string           // from container.Environment
	Cwd                                     string             // from container.WorkingDir; "" is "/"
	// CgroupV2: the host runs the unified cgroup v2 hierarchy (see
	// IsCgroupV2). The container then gets its own cgroup namespace, as with
	// Docker, and /sys/fs/cgroup is mounted. On cgroup v1 it is mounted only
	// when rootful: a rootless cgroup v1 mount fails (see cgroupMount).
	CgroupV2 bool
	// Mounts are the container's volumes, binds and tmpfs mounts (from
	// volumes.Prepare), shallowest first; one on a default mount's
	// destination (/dev/shm, /etc/hosts...) replaces it.
	Mounts []specs.Mount

	// Systemd: the container runs systemd (container.SystemdMode), which
	// gets tmpfs on /run, /run/lock, /tmp and /var/log/journal, a
	// writable cgroup.
	Systemd bool
	// NamespacePaths are the paths of namespaces the container joins:
	// those of --ipc/--pid/--uts container:NAME (resolved by the caller)
	// and ns:PATH, by OCI type ("ipc", "pid", "uts").
	NamespacePaths map[specs.LinuxNamespaceType]string
	// ParentUIDs and ParentGIDs are pod's namespace's uid_map and gid_map
	// (rootless), along whose lines a container's own map is split.
	ParentUIDs, ParentGIDs []container.IDRange
	// OwnCgroup is, rootless on cgroup v2, the cgroup pod runs in when the
	// user may write it (a systemd --user unit's): the container gets a
	// cgroup of its own under it.
	OwnCgroup string

	// NetNSPath is the network namespace to join (network/slirp's, another
	// container's, ns:PATH); "" makes a new, empty one.
	NetNSPath string
}

// ociVersion is the runtime spec version pod writes: Debian 12's crun 1.8
// refuses any later than 1.1, and pod uses nothing newer than 1.0.2.
const ociVersion = "1.0.2"

// maxOpenFiles is the RLIMIT_NOFILE and RLIMIT_NPROC of a container when
// pod may raise limits.
const maxOpenFiles = 1048576

// Spec builds the OCI runtime spec of the container cfg with Docker's
// defaults (namespaces, mounts, capabilities, masked paths, seccomp) and
// what rootless mode allows.
func Spec(cfg *container.Config, opts SpecOptions) (*specs.Spec, error) {
	if !filepath.IsAbs(opts.Rootfs) {
		return nil, fmt.Errorf("container %s: root filesystem %q is not an absolute path", cfg.ID, opts.Rootfs)
	}
	if len(opts.ProcessArgs) == 0 {
		return nil, fmt.Errorf("container %s: no command specified", cfg.ID)
	}
	sec, err := ParseSecurityOpts(cfg.SecurityOpt)
	if err != nil {
		return nil, err
	}
	caps, err := CapabilitiesFrom(cfg.DefaultCaps, cfg.CapAdd, cfg.CapDrop, cfg.Privileged)
	if err != nil {
		return nil, err
	}
	rlimits, err := processRlimits(opts.Rootless)
	if err != nil {
		return nil, err
	}
	if rlimits, err = withUlimits(rlimits, cfg.Ulimits); err != nil {
		return nil, err
	}
	cwd := opts.Cwd
	if cwd == "" {
		cwd = "/"
	}
	s := &specs.Spec{
		Version: ociVersion,
		Process: &specs.Process{
			Terminal: cfg.Tty,
			User: specs.User{
				UID:            opts.User.UID,
				GID:            opts.User.GID,
				AdditionalGids: slices.Clone(opts.User.AdditionalGids),
			},
			Args: slices.Clone(opts.ProcessArgs),
			Env:  slices.Clone(opts.Env),
			Cwd:  cwd,
			// As Docker: the same set everywhere but ambient; the kernel
			// clears effective and permitted when a non-root user execs.
			Capabilities: &specs.LinuxCapabilities{
				Bounding:  slices.Clone(caps),
				Effective: slices.Clone(caps),
				Permitted: slices.Clone(caps),
			},
			Rlimits:         rlimits,
			NoNewPrivileges: sec.NoNewPrivileges,
		},
		Root:       &specs.Root{Path: opts.Rootfs, Readonly: cfg.ReadOnlyRootfs},
		Hostname:   hostname(cfg),
		Domainname: domainname(cfg),
		Mounts:     mounts(cfg, opts, sec),
		Linux:      linux(cfg, opts, sec),
	}
	s.Linux.Seccomp, err = seccompFilter(sec, cfg.SeccompProfile, cfg.Privileged, s)
	if err != nil {
		return nil, err
	}
	if cfg.Personality != "" {
		s.Linux.Personality = &specs.LinuxPersonality{Domain: specs.LinuxPersonalityDomain(cfg.Personality)}
	}
	if cfg.OOMScoreAdj != nil {
		v := *cfg.OOMScoreAdj
		s.Process.OOMScoreAdj = &v
	}
	if cfg.Umask != "" {
		m, err := container.ParseUmask(cfg.Umask)
		if err != nil {
			return nil, err
		}
		s.Process.User.Umask = &m
	}
	for k, v := range cfg.Sysctls {
		if s.Linux.Sysctl == nil {
			s.Linux.Sysctl = map[string]string{}
		}
		s.Linux.Sysctl[k] = v
	}
	if len(cfg.Annotations) > 0 {
		s.Annotations = maps.Clone(cfg.Annotations)
	}
	if slices.Contains(cfg.GroupAdd, container.KeepGroups) {
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Annotations[container.KeepGroupsAnnotation] = "1"
	}
	return s, nil
}

// withUlimits puts --ulimit's limits over pod's own (-1: unlimited).
func withUlimits(limits []specs.POSIXRlimit, ulimits []string) ([]specs.POSIXRlimit, error) {
	for _, s := range ulimits {
		us := container.HostUlimits()
		if s != "host" {
			u, err := container.ParseUlimit(s)
			if err != nil {
				return nil, err
			}
			us = []container.Ulimit{u}
		}
		for _, u := range us {
			r := specs.POSIXRlimit{Type: u.RlimitType(), Soft: uint64(u.Soft), Hard: uint64(u.Hard)}
			limits = slices.DeleteFunc(limits, func(l specs.POSIXRlimit) bool { return l.Type == r.Type })
			limits = append(limits, r)
		}
	}
	return limits, nil
}

// linux builds the Linux section but seccomp.
func linux(cfg *container.Config, opts SpecOptions, sec SecurityOptions) *specs.Linux {
	hostNetwork := cfg.NetworkMode == "host"
	l := &specs.Linux{
		Namespaces: []specs.LinuxNamespace{{Type: specs.MountNamespace}},
	}
	if !hostNetwork {
		l.Namespaces = append(l.Namespaces, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: opts.NetNSPath})
		// As Docker: any port and ICMP echo without capabilities. The ping
		// range must be mapped, which a rootless namespace is not in full.
		// (Not from a user namespace of the container's own: the
		// network namespace is pod's, whose settings it may not write;
		// nor in another container's namespace, whose settings are its
		// own: a pod's infra container's --sysctl.)
		joined := strings.HasPrefix(cfg.NetworkMode, "container:") || strings.HasPrefix(cfg.NetworkMode, "ns:")
		if cfg.IDMap == nil && !joined {
			l.Sysctl = map[string]string{"net.ipv4.ip_unprivileged_port_start": "0"}
			if !opts.Rootless {
				l.Sysctl["net.ipv4.ping_group_range"] = "0 2147483647"
			}
		}
	}
	for _, ns := range []struct {
		t    specs.LinuxNamespaceType
		mode string
	}{{specs.UTSNamespace, cfg.UTS}, {specs.PIDNamespace, cfg.PID}, {specs.IPCNamespace, cfg.IPC}} {
		if ns.mode == container.NSHost {
			continue // the runtime's own: the host's
		}
		l.Namespaces = append(l.Namespaces, specs.LinuxNamespace{Type: ns.t, Path: opts.NamespacePaths[ns.t]})
	}
	if m := cfg.IDMap; m != nil {
		// A user namespace of the container's own (--userns keep-id,
		// --uidmap...), nested in pod's.
		l.Namespaces = append(l.Namespaces, specs.LinuxNamespace{Type: specs.UserNamespace})
		for _, r := range container.SplitAlong(m.UIDs, opts.ParentUIDs) {
			l.UIDMappings = append(l.UIDMappings, specs.LinuxIDMapping{ContainerID: r.ContainerID, HostID: r.HostID, Size: r.Size})
		}
		for _, r := range container.SplitAlong(m.GIDs, opts.ParentGIDs) {
			l.GIDMappings = append(l.GIDMappings, specs.LinuxIDMapping{ContainerID: r.ContainerID, HostID: r.HostID, Size: r.Size})
		}
	}
	if cfg.CgroupNS == container.NSPrivate || (opts.CgroupV2 && cfg.CgroupNS != container.NSHost) {
		l.Namespaces = append(l.Namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace, Path: opts.NamespacePaths[specs.CgroupNamespace]})
	}
	if !cfg.Privileged && !sec.UnconfinedSystemPaths {
		l.MaskedPaths = slices.Clone(maskedPaths)
		l.ReadonlyPaths = slices.Clone(readonlyPaths)
	}
	if opts.Rootless {
		// No host devices to give: the runtime bind-mounts its default
		// devices from the host's /dev. A cgroup of its own only under
		// the user's delegated one (cgroup v2), where limits apply.
		if opts.CgroupV2 && opts.OwnCgroup != "" {
			l.CgroupsPath = filepath.Join(opts.OwnCgroup, "pod-"+cfg.ID)
			if cfg.Resources != nil || cfg.OOMKillDisable {
				l.Resources = withLimits(l.Resources, cfg)
			}
		}
		return l
	}
	// --device's nodes: made by a rootful runtime; rootless, mounts bind
	// the host's (see mounts), as a user cannot make device nodes.
	var allow []specs.LinuxDeviceCgroup
	for _, s := range cfg.Devices {
		d, err := container.ParseDevice(s)
		if err != nil {
			continue // checked at create
		}
		dev, ok := deviceAt(d.Host)
		if !ok {
			continue
		}
		dev.Path = d.Container
		l.Devices = append(l.Devices, dev)
		major, minor := dev.Major, dev.Minor
		allow = append(allow, specs.LinuxDeviceCgroup{Allow: true, Type: dev.Type, Major: &major, Minor: &minor, Access: d.Perms})
	}
	l.CgroupsPath = cgroupsPath(cfg)
	if cfg.Privileged {
		l.Devices = hostDevices()
		l.Resources = &specs.LinuxResources{Devices: []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}}
	} else {
		l.Resources = &specs.LinuxResources{Devices: append(defaultDeviceRules(), allow...)}
		for _, s := range cfg.DeviceCgroupRules {
			r, err := container.ParseDeviceRule(s)
			if err != nil {
				continue // checked at create
			}
			rule := specs.LinuxDeviceCgroup{Allow: true, Type: r.Type, Access: r.Perms}
			if r.Major >= 0 {
				rule.Major = &r.Major
			}
			if r.Minor >= 0 {
				rule.Minor = &r.Minor
			}
			l.Resources.Devices = append(l.Resources.Devices, rule)
		}
	}
	if len(cfg.CgroupConf) > 0 {
		l.Resources.Unified = maps.Clone(cfg.CgroupConf)
	}
	l.Resources = withLimits(l.Resources, cfg)
	return l
}

// withLimits puts cfg's limits (its Resources, --oom-kill-disable) into
// res, for a container with a cgroup of its own.
func withLimits(res *specs.LinuxResources, cfg *container.Config) *specs.LinuxResources {
	res = ApplyResources(res, cfg.Resources)
	if cfg.OOMKillDisable {
		if res.Memory == nil {
			res.Memory = &specs.LinuxMemory{}
		}
		on := true
		res.Memory.DisableOOMKiller = &on
	}
	return res
}

// cgroupsPath is a rootful container's cgroup: /pod/ID, or with
// --cgroups=split pod-ID relative to the cgroup of the process that starts
// the runtime (the monitor's, which is its unit's under systemd).
func cgroupsPath(cfg *container.Config) string {
	if cfg.Cgroups == "split" {
		return "pod-" + cfg.ID
	}
	if cfg.CgroupParent != "" {
		return filepath.Join(cfg.CgroupParent, "pod-"+cfg.ID)
	}
	return "/pod/" + cfg.ID
}

// CgroupMode says what --cgroups=Mode does on this host (pod info).
type CgroupMode struct {
	Mode   string `json:"mode"`
	Effect string `json:"effect"`
}

// CgroupModes are the --cgroups modes and their effect for a rootless or a
// rootful pod. The monitor is never moved: no-conmon differs from enabled
// only in Podman, whose conmon gets a cgroup of its own.
func CgroupModes(rootless bool) []CgroupMode {
	if rootless {
		caller := "no cgroup of its own: the container stays in the cgroup of the pod command that starts it (its unit's under systemd)"
		return []CgroupMode{{"enabled", caller}, {"disabled", caller}, {"no-conmon", caller}, {"split", caller}}
	}
	return []CgroupMode{
		{"enabled", "/pod/<ID> in every hierarchy"},
		{"disabled", "refused: the OCI runtime makes a cgroup for every rootful container"},
		{"no-conmon", "as enabled: the monitor stays in the caller's cgroup in every mode"},
		{"split", "pod-<ID> under the cgroup of the pod command that starts it (its unit's under systemd)"},
	}
}

// maskedPaths and readonlyPaths are Docker's defaults.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
		"/proc/sched_debug", "/proc/scsi", "/sys/firmware",
		"/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// mounts returns Docker's default mounts and the /etc file binds.
func mounts(cfg *container.Config, opts SpecOptions, sec SecurityOptions) []specs.Mount {
	pts := []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}
	if gidMapped(5) { // the tty group; devpts refuses an unmapped gid
		pts = append(pts, "gid=5")
	}
	proc := specs.Mount{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}}
	mqueue := &specs.Mount{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}}
	if opts.Rootless && cfg.PID == container.NSHost {
		// A user namespace cannot mount the host's PID namespace's proc:
		// the host's is bound, as Podman does.
		proc = specs.Mount{Destination: "/proc", Type: "bind", Source: "/proc", Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
	}
	if opts.Rootless && cfg.IPC == container.NSHost {
		// Nor the host's IPC namespace's mqueue: the host's is bound,
		// where the host has one.
		mqueue = &specs.Mount{Destination: "/dev/mqueue", Type: "bind", Source: "/dev/mqueue", Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
		if _, err := os.Stat("/dev/mqueue"); err != nil {
			mqueue = nil
		}
	}
	ms := []specs.Mount{
		proc,
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: pts},
		sysMount(cfg, opts),
	}
	if m, ok := cgroupMount(cfg, opts, sec); ok {
		ms = append(ms, m)
	}
	if opts.Systemd {
		ms = append(ms, systemdMounts()...)
	}
	if cfg.ReadOnlyRootfs && !cfg.NoReadOnlyTmpfs && !opts.Systemd {
		// --read-only-tmpfs, Podman's default: where programs write.
		for _, d := range []struct{ dst, mode string }{{"/run", "755"}, {"/tmp", "1777"}, {"/var/tmp", "1777"}} {
			ms = append(ms, specs.Mount{Destination: d.dst, Type: "tmpfs", Source: "tmpfs", Options: []string{"rw", "nosuid", "nodev", "mode=" + d.mode}})
		}
	}
	if mqueue != nil {
		ms = append(ms, *mqueue)
	}
	if opts.Rootless {
		for _, s := range cfg.Devices {
			if d, err := container.ParseDevice(s); err == nil {
				ms = append(ms, specs.Mount{Destination: d.Container, Type: "bind", Source: d.Host, Options: []string{"bind", "nosuid", "noexec"}})
			}
		}
	}
	ms = append(ms,
		specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", shmSize(cfg)}},
	)
	for _, b := range []struct{ src, dst string }{
		{opts.HostsFile, "/etc/hosts"},
		{opts.HostnameFile, "/etc/hostname"},
		{opts.ResolvConfFile, "/etc/resolv.conf"},
	} {
		if b.src != "" {
			ms = append(ms, specs.Mount{Destination: b.dst, Type: "bind", Source: b.src, Options: []string{"rbind", "rprivate"}})
		}
	}
	return withUserMounts(ms, opts.Mounts)
}

// withUserMounts puts each user mount in the place of the default mount on
// its destination, if any, and appends the others.
func withUserMounts(defaults, user []specs.Mount) []specs.Mount {
	if len(user) == 0 {
		return defaults
	}
	byDst := make(map[string]int, len(user))
	for i, m := range user {
		byDst[filepath.Clean(m.Destination)] = i
	}
	used := make([]bool, len(user))
	out := make([]specs.Mount, 0, len(defaults)+len(user))
	for _, d := range defaults {
		if i, ok := byDst[d.Destination]; ok {
			out, used[i] = append(out, user[i]), true
			continue
		}
		out = append(out, d)
	}
	for i, m := range user {
		if !used[i] {
			out = append(out, m)
		}
	}
	return out
}

// sysMount is /sys: a read-only sysfs (read-write when privileged); a
// rootless container without its own network namespace cannot mount sysfs,
// so it gets the host's /sys bound instead, as Podman does.
func sysMount(cfg *container.Config, opts SpecOptions) specs.Mount {
	o := []string{"nosuid", "noexec", "nodev"}
	if !cfg.Privileged {
		o = append(o, "ro")
	}
	if (opts.Rootless && cfg.NetworkMode == "host") || cfg.IDMap != nil {
		// Nor can a user namespace of the container's own, whose network
		// namespace pod made before it.
		return specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: append([]string{"rbind", "rprivate"}, o...)}
	}
	return specs.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: o}
}

// cgroupMount is /sys/fs/cgroup: the cgroup filesystem, read-only unless
// privileged or writable-cgroups, except for a rootless container on cgroup
// v1, which cannot mount it: that one sees an empty directory, also when the
// host's /sys is bound (whose cgroup submounts would stay writable) unless
// privileged.
func cgroupMount(cfg *container.Config, opts SpecOptions, sec SecurityOptions) (specs.Mount, bool) {
	o := []string{"nosuid", "noexec", "nodev"}
	if !cfg.Privileged && !sec.WritableCgroups && !opts.Systemd {
		o = append(o, "ro")
	}
	switch {
	case !opts.Rootless || opts.CgroupV2:
		return specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup", Source: "cgroup", Options: o}, true
	case cfg.NetworkMode == "host" && !cfg.Privileged:
		return specs.Mount{Destination: "/sys/fs/cgroup", Type: "tmpfs", Source: "tmpfs", Options: append(o, "mode=755", "size=64k")}, true
	}
	return specs.Mount{}, false
}

// systemdMounts are what systemd as a container's init expects: its
// runtime directories and volatile journal on tmpfs, filled with what the
// image has there.
func systemdMounts() []specs.Mount {
	var ms []specs.Mount
	for _, dst := range []string{"/run", "/run/lock", "/tmp", "/var/log/journal"} {
		o := []string{"rw", "rprivate", "nosuid", "nodev", "tmpcopyup"}
		if dst == "/tmp" {
			o = append(o, "mode=1777")
		} else {
			o = append(o, "mode=755")
		}
		ms = append(ms, specs.Mount{Destination: dst, Type: "tmpfs", Source: "tmpfs", Options: o})
	}
	return ms
}

// processRlimits returns RLIMIT_NOFILE and RLIMIT_NPROC: 1048576 when pod
// may raise limits (real root with CAP_SYS_RESOURCE), else the current hard
// limits (rootless, or root in a restricted container).
func processRlimits(rootless bool) ([]specs.POSIXRlimit, error) {
	limits := []struct {
		name     string
		resource int
	}{{"RLIMIT_NOFILE", unix.RLIMIT_NOFILE}, {"RLIMIT_NPROC", unix.RLIMIT_NPROC}}
	raise := !rootless && canRaiseLimits()
	out := make([]specs.POSIXRlimit, 0, len(limits))
	for _, l := range limits {
		v := uint64(maxOpenFiles)
		if !raise {
			var cur unix.Rlimit
			if err := unix.Getrlimit(l.resource, &cur); err != nil {
				return nil, fmt.Errorf("reading %s: %w", l.name, err)
			}
			v = cur.Max
		}
		out = append(out, specs.POSIXRlimit{Type: l.name, Hard: v, Soft: v})
	}
	return out, nil
}

// canRaiseLimits reports whether this process holds CAP_SYS_RESOURCE, which
// raising a hard limit takes.
func canRaiseLimits() bool {
	c, err := capability.NewPid2(0)
	if err != nil || c.Load() != nil {
		return false
	}
	return c.Get(capability.EFFECTIVE, capability.CAP_SYS_RESOURCE)
}

// gidMapped reports whether gid is mapped in pod's user namespace; when the
// map cannot be read it assumes so.
func gidMapped(gid uint32) bool {
	f, err := os.Open("/proc/self/gid_map")
	if err != nil {
		return true
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		inside, err1 := strconv.ParseUint(fields[0], 10, 32)
		count, err2 := strconv.ParseUint(fields[2], 10, 32)
		if err1 == nil && err2 == nil && uint64(gid) >= inside && uint64(gid) < inside+count {
			return true
		}
	}
	return false
}

// IsCgroupV2 reports whether the host mounts the unified cgroup v2
// hierarchy at /sys/fs/cgroup.
func IsCgroupV2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// defaultDeviceRules is the device cgroup of a rootful container: deny all
// but mknod and the devices every container has.
func defaultDeviceRules() []specs.LinuxDeviceCgroup {
	rule := func(typ string, major, minor int64, access string) specs.LinuxDeviceCgroup {
		r := specs.LinuxDeviceCgroup{Allow: true, Type: typ, Access: access}
		if major >= 0 {
			r.Major = &major
		}
		if minor >= 0 {
			r.Minor = &minor
		}
		return r
	}
	return []specs.LinuxDeviceCgroup{
		{Allow: false, Access: "rwm"},
		rule("c", -1, -1, "m"), rule("b", -1, -1, "m"),
		rule("c", 1, 3, "rwm"), rule("c", 1, 5, "rwm"), rule("c", 1, 7, "rwm"), // null zero full
		rule("c", 1, 8, "rwm"), rule("c", 1, 9, "rwm"), // random urandom
		rule("c", 5, 0, "rwm"), rule("c", 5, 1, "rwm"), rule("c", 5, 2, "rwm"), // tty console ptmx
		rule("c", 136, -1, "rwm"), // pts
	}
}

// hostDevices lists the host's device nodes for a rootful privileged
// container, skipping what the runtime sets up itself.
func hostDevices() []specs.LinuxDevice {
	var devs []specs.LinuxDevice
	skipDirs := map[string]bool{"/dev/pts": true, "/dev/shm": true, "/dev/fd": true, "/dev/mqueue": true, "/dev/.lxc": true, "/dev/.lxd-mounts": true, "/dev/.udev": true}
	_ = filepath.WalkDir("/dev", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if d != nil && d.IsDir() && p != "/dev" {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if skipDirs[p] {
				return fs.SkipDir
			}
			return nil
		}
		if p == "/dev/console" || p == "/dev/ptmx" {
			return nil
		}
		if dev, ok := deviceAt(p); ok {
			devs = append(devs, dev)
		}
		return nil
	})
	return devs
}

// deviceAt describes the device node at p, if it is one.
func deviceAt(p string) (specs.LinuxDevice, bool) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return specs.LinuxDevice{}, false
	}
	var typ string
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFCHR:
		typ = "c"
	case unix.S_IFBLK:
		typ = "b"
	default:
		return specs.LinuxDevice{}, false
	}
	mode := fs.FileMode(st.Mode & 0o777)
	uid, gid := st.Uid, st.Gid
	return specs.LinuxDevice{
		Path: p, Type: typ,
		Major: int64(unix.Major(uint64(st.Rdev))), Minor: int64(unix.Minor(uint64(st.Rdev))),
		FileMode: &mode, UID: &uid, GID: &gid,
	}, true
}

// shmSize is /dev/shm's size option: --shm-size, else 64 MiB as Docker's.
func shmSize(cfg *container.Config) string {
	if cfg.ShmSize > 0 {
		return "size=" + strconv.FormatInt(cfg.ShmSize, 10)
	}
	return "size=65536k"
}

// hostname is the container's host name; none with the host's UTS
// namespace (--uts host), whose name is the host's.
func hostname(cfg *container.Config) string {
	if cfg.UTS != "" && cfg.UTS != container.NSPrivate {
		return ""
	}
	return container.Hostname(cfg)
}

func domainname(cfg *container.Config) string {
	if cfg.UTS != "" && cfg.UTS != container.NSPrivate {
		return ""
	}
	return cfg.Domainname
}
