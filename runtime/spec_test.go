package runtime

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
)

const testID = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func baseOptions() SpecOptions {
	return SpecOptions{
		Rootfs:      "/var/lib/pod/rootfs",
		User:        container.ExecUser{UID: 1000, GID: 1000, AdditionalGids: []uint32{10}, Home: "/home/app"},
		ProcessArgs: []string{"/bin/sh", "-c", "true"},
		Env:         []string{"PATH=/bin"},
		Cwd:         "/work",
	}
}

func mustSpec(t *testing.T, cfg *container.Config, opts SpecOptions) *specs.Spec {
	t.Helper()
	if cfg.ID == "" {
		cfg.ID = testID
	}
	s, err := Spec(cfg, opts)
	if err != nil {
		t.Fatalf("Spec: %v", err)
	}
	return s
}

func findMount(s *specs.Spec, dst string) *specs.Mount {
	for i := range s.Mounts {
		if s.Mounts[i].Destination == dst {
			return &s.Mounts[i]
		}
	}
	return nil
}

func hasNamespace(s *specs.Spec, t specs.LinuxNamespaceType) bool {
	return slices.ContainsFunc(s.Linux.Namespaces, func(n specs.LinuxNamespace) bool { return n.Type == t })
}

func TestSpecProcess(t *testing.T) {
	cfg := &container.Config{Tty: true, ReadOnlyRootfs: true}
	opts := baseOptions()
	s := mustSpec(t, cfg, opts)
	p := s.Process
	if !p.Terminal || !reflect.DeepEqual(p.Args, opts.ProcessArgs) || !reflect.DeepEqual(p.Env, opts.Env) || p.Cwd != "/work" {
		t.Errorf("process = %+v", p)
	}
	if want := (specs.User{UID: 1000, GID: 1000, AdditionalGids: []uint32{10}}); !reflect.DeepEqual(p.User, want) {
		t.Errorf("user = %+v, want %+v", p.User, want)
	}
	if s.Root.Path != opts.Rootfs || !s.Root.Readonly {
		t.Errorf("root = %+v", s.Root)
	}
	if s.Hostname != testID[:12] {
		t.Errorf("hostname = %q", s.Hostname)
	}
	if p.OOMScoreAdj != nil || p.NoNewPrivileges {
		t.Errorf("oomScoreAdj %v, noNewPrivileges %v", p.OOMScoreAdj, p.NoNewPrivileges)
	}
	if s2 := mustSpec(t, &container.Config{Hostname: "web"}, opts); s2.Hostname != "web" || s2.Process.Terminal || s2.Root.Readonly {
		t.Errorf("hostname %q terminal %v readonly %v", s2.Hostname, s2.Process.Terminal, s2.Root.Readonly)
	}
	opts.Cwd = ""
	if s3 := mustSpec(t, &container.Config{}, opts); s3.Process.Cwd != "/" {
		t.Errorf("default cwd %q", s3.Process.Cwd)
	}
}

func TestSpecErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  container.Config
		opts func(*SpecOptions)
		want string
	}{
		{name: "relative rootfs", opts: func(o *SpecOptions) { o.Rootfs = "rootfs" }, want: "not an absolute path"},
		{name: "no command", opts: func(o *SpecOptions) { o.ProcessArgs = nil }, want: "no command"},
		{name: "unknown cap", cfg: container.Config{CapAdd: []string{"FLY"}}, want: `unknown capability "FLY"`},
		{name: "unknown drop", cfg: container.Config{CapDrop: []string{"cap_nope"}}, want: `unknown capability "cap_nope"`},
		{name: "unknown security opt", cfg: container.Config{SecurityOpt: []string{"frobnicate=1"}}, want: `"frobnicate=1"`},
		{name: "seccomp file not loaded", cfg: container.Config{SecurityOpt: []string{"seccomp=/p.json"}}, want: "/p.json was not loaded"},
		{name: "bad seccomp file", cfg: container.Config{SecurityOpt: []string{"seccomp=/p.json"}, SeccompProfile: []byte("{")}, want: "loading seccomp profile /p.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := baseOptions()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			tt.cfg.ID = testID
			_, err := Spec(&tt.cfg, opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestSpecCapabilities(t *testing.T) {
	all := allCapabilities()
	without := func(list []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(list), func(c string) bool { return slices.Contains(drop, c) })
	}
	tests := []struct {
		name       string
		add, drop  []string
		privileged bool
		want       []string
	}{
		{name: "default", want: defaultCapabilities},
		{name: "add lower case without prefix", add: []string{"sys_admin"}, want: append(slices.Clone(defaultCapabilities), "CAP_SYS_ADMIN")},
		{name: "add with prefix mixed case", add: []string{"Cap_Net_Admin"}, want: append(slices.Clone(defaultCapabilities), "CAP_NET_ADMIN")},
		{name: "add a default is no duplicate", add: []string{"CHOWN"}, want: defaultCapabilities},
		{name: "drop", drop: []string{"chown", "CAP_KILL"}, want: without(defaultCapabilities, "CAP_CHOWN", "CAP_KILL")},
		{name: "add all", add: []string{"all"}, want: all},
		{name: "add all drop one", add: []string{"ALL"}, drop: []string{"net_raw"}, want: without(all, "CAP_NET_RAW")},
		{name: "drop all add one", add: []string{"NET_BIND_SERVICE"}, drop: []string{"ALL"}, want: []string{"CAP_NET_BIND_SERVICE"}},
		{name: "drop all", drop: []string{"all"}, want: []string{}},
		{name: "privileged", privileged: true, drop: []string{"CHOWN"}, want: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustSpec(t, &container.Config{CapAdd: tt.add, CapDrop: tt.drop, Privileged: tt.privileged}, baseOptions())
			c := s.Process.Capabilities
			for name, got := range map[string][]string{"bounding": c.Bounding, "effective": c.Effective, "permitted": c.Permitted} {
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("%s = %v\nwant %v", name, got, tt.want)
				}
			}
			if len(c.Ambient) != 0 || len(c.Inheritable) != 0 {
				t.Errorf("ambient %v inheritable %v, want none", c.Ambient, c.Inheritable)
			}
		})
	}
	if !slices.Contains(all, "CAP_SYS_ADMIN") || len(all) < 38 {
		t.Errorf("all capabilities = %v", all)
	}
}

func TestSpecPrivileged(t *testing.T) {
	for _, rootless := range []bool{false, true} {
		opts := baseOptions()
		opts.Rootless = rootless
		s := mustSpec(t, &container.Config{Privileged: true}, opts)
		if s.Linux.Seccomp != nil {
			t.Errorf("rootless=%v: seccomp set", rootless)
		}
		if len(s.Linux.MaskedPaths) != 0 || len(s.Linux.ReadonlyPaths) != 0 {
			t.Errorf("rootless=%v: masked %v readonly %v", rootless, s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
		}
		if m := findMount(s, "/sys"); m == nil || slices.Contains(m.Options, "ro") {
			t.Errorf("rootless=%v: /sys = %+v, want read-write", rootless, m)
		}
		if rootless {
			if len(s.Linux.Devices) != 0 || s.Linux.Resources != nil {
				t.Errorf("rootless privileged: devices %v resources %+v", s.Linux.Devices, s.Linux.Resources)
			}
			continue
		}
		if !slices.ContainsFunc(s.Linux.Devices, func(d specs.LinuxDevice) bool {
			return d.Path == "/dev/null" && d.Type == "c" && d.Major == 1 && d.Minor == 3
		}) {
			t.Errorf("rootful privileged devices lack /dev/null: %+v", s.Linux.Devices)
		}
		if slices.ContainsFunc(s.Linux.Devices, func(d specs.LinuxDevice) bool { return strings.HasPrefix(d.Path, "/dev/pts/") }) {
			t.Error("host /dev/pts entries passed")
		}
		if want := []specs.LinuxDeviceCgroup{{Allow: true, Access: "rwm"}}; !reflect.DeepEqual(s.Linux.Resources.Devices, want) {
			t.Errorf("device rules %+v", s.Linux.Resources.Devices)
		}
	}
}

func TestSpecPaths(t *testing.T) {
	s := mustSpec(t, &container.Config{}, baseOptions())
	for _, p := range []string{"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
		"/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"} {
		if !slices.Contains(s.Linux.MaskedPaths, p) {
			t.Errorf("%s not masked", p)
		}
	}
	if want := []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}; !reflect.DeepEqual(s.Linux.ReadonlyPaths, want) {
		t.Errorf("readonly paths %v", s.Linux.ReadonlyPaths)
	}
	s = mustSpec(t, &container.Config{SecurityOpt: []string{"systempaths=unconfined"}}, baseOptions())
	if len(s.Linux.MaskedPaths)+len(s.Linux.ReadonlyPaths) != 0 {
		t.Errorf("systempaths=unconfined kept %v %v", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
	}
}

func TestSpecNetworkAndMounts(t *testing.T) {
	tests := []struct {
		name        string
		network     string
		rootless    bool
		cgroupV2    bool
		wantNetNS   bool
		wantSysType string
		wantCgroup  string // type of the /sys/fs/cgroup mount, "" for none
	}{
		{name: "rootful private", wantNetNS: true, wantSysType: "sysfs", wantCgroup: "cgroup"},
		{name: "rootful none", network: "none", wantNetNS: true, wantSysType: "sysfs", wantCgroup: "cgroup"},
		{name: "rootful host", network: "host", wantSysType: "sysfs", wantCgroup: "cgroup"},
		{name: "rootless private", rootless: true, wantNetNS: true, wantSysType: "sysfs"},
		{name: "rootless none", network: "none", rootless: true, wantNetNS: true, wantSysType: "sysfs"},
		{name: "rootless host binds /sys, hides its cgroups", network: "host", rootless: true, wantSysType: "bind", wantCgroup: "tmpfs"},
		{name: "rootless cgroup v2", rootless: true, cgroupV2: true, wantNetNS: true, wantSysType: "sysfs", wantCgroup: "cgroup"},
		{name: "rootless host cgroup v2", network: "host", rootless: true, cgroupV2: true, wantSysType: "bind", wantCgroup: "cgroup"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := baseOptions()
			opts.Rootless, opts.CgroupV2 = tt.rootless, tt.cgroupV2
			s := mustSpec(t, &container.Config{NetworkMode: tt.network}, opts)
			for _, ns := range []specs.LinuxNamespaceType{specs.PIDNamespace, specs.IPCNamespace, specs.UTSNamespace, specs.MountNamespace} {
				if !hasNamespace(s, ns) {
					t.Errorf("no %s namespace", ns)
				}
			}
			if hasNamespace(s, specs.UserNamespace) {
				t.Error("user namespace in spec")
			}
			if got := hasNamespace(s, specs.NetworkNamespace); got != tt.wantNetNS {
				t.Errorf("network namespace %v, want %v", got, tt.wantNetNS)
			}
			if got := hasNamespace(s, specs.CgroupNamespace); got != tt.cgroupV2 {
				t.Errorf("cgroup namespace %v, want %v", got, tt.cgroupV2)
			}
			sys := findMount(s, "/sys")
			if sys == nil || sys.Type != tt.wantSysType || !slices.Contains(sys.Options, "ro") {
				t.Errorf("/sys = %+v, want read-only %s", sys, tt.wantSysType)
			}
			if tt.wantSysType == "bind" && (sys.Source != "/sys" || !slices.Contains(sys.Options, "rbind")) {
				t.Errorf("/sys bind = %+v", sys)
			}
			cg := findMount(s, "/sys/fs/cgroup")
			gotType := ""
			if cg != nil {
				gotType = cg.Type
			}
			if gotType != tt.wantCgroup {
				t.Errorf("cgroup mount %+v, want type %q", cg, tt.wantCgroup)
			}
			if cg != nil && !slices.Contains(cg.Options, "ro") {
				t.Errorf("cgroup mount not read-only: %+v", cg)
			}
			if tt.rootless != (s.Linux.CgroupsPath == "") {
				t.Errorf("cgroupsPath %q", s.Linux.CgroupsPath)
			}
			if tt.rootless && s.Linux.Resources != nil {
				t.Errorf("rootless resources %+v", s.Linux.Resources)
			}
			_, port := s.Linux.Sysctl["net.ipv4.ip_unprivileged_port_start"]
			if port != tt.wantNetNS {
				t.Errorf("sysctls %v", s.Linux.Sysctl)
			}
		})
	}
}

func TestSpecDefaultMounts(t *testing.T) {
	opts := baseOptions()
	opts.HostsFile, opts.HostnameFile, opts.ResolvConfFile = "/run/c/hosts", "/run/c/hostname", "/run/c/resolv.conf"
	s := mustSpec(t, &container.Config{}, opts)
	want := map[string]struct {
		typ  string
		opts []string
	}{
		"/proc":            {"proc", []string{"nosuid", "noexec", "nodev"}},
		"/dev":             {"tmpfs", []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		"/dev/shm":         {"tmpfs", []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		"/dev/mqueue":      {"mqueue", []string{"nosuid", "noexec", "nodev"}},
		"/etc/hosts":       {"bind", []string{"rbind", "rprivate"}},
		"/etc/hostname":    {"bind", []string{"rbind", "rprivate"}},
		"/etc/resolv.conf": {"bind", []string{"rbind", "rprivate"}},
	}
	for dst, w := range want {
		m := findMount(s, dst)
		if m == nil || m.Type != w.typ || !reflect.DeepEqual(m.Options, w.opts) {
			t.Errorf("%s = %+v, want %s %v", dst, m, w.typ, w.opts)
		}
	}
	if m := findMount(s, "/etc/hosts"); m.Source != "/run/c/hosts" {
		t.Errorf("hosts source %q", m.Source)
	}
	pts := findMount(s, "/dev/pts")
	if pts == nil || pts.Type != "devpts" || !slices.Contains(pts.Options, "newinstance") ||
		!slices.Contains(pts.Options, "ptmxmode=0666") || !slices.Contains(pts.Options, "mode=0620") {
		t.Errorf("/dev/pts = %+v", pts)
	}
	if gidMapped(5) != slices.Contains(pts.Options, "gid=5") {
		t.Errorf("/dev/pts gid=5 with gid 5 mapped=%v: %v", gidMapped(5), pts.Options)
	}
	// Parents come before their children.
	idx := func(d string) int {
		return slices.IndexFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == d })
	}
	if idx("/dev") > idx("/dev/pts") || idx("/dev") > idx("/dev/shm") || idx("/sys") > idx("/sys/fs/cgroup") {
		t.Errorf("mount order: %v", s.Mounts)
	}
	if s = mustSpec(t, &container.Config{}, baseOptions()); findMount(s, "/etc/hosts") != nil {
		t.Error("hosts bound with no file given")
	}
}

func TestSpecRlimits(t *testing.T) {
	get := func(s *specs.Spec, typ string) specs.POSIXRlimit {
		for _, r := range s.Process.Rlimits {
			if r.Type == typ {
				return r
			}
		}
		t.Fatalf("no %s in %v", typ, s.Process.Rlimits)
		return specs.POSIXRlimit{}
	}
	s := mustSpec(t, &container.Config{}, baseOptions())
	var nofile unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	want := nofile.Max // root without CAP_SYS_RESOURCE cannot raise it either
	if canRaiseLimits() {
		want = 1048576
	}
	if r := get(s, "RLIMIT_NOFILE"); r.Soft != want || r.Hard != want {
		t.Errorf("rootful NOFILE %+v, want %d (can raise: %v)", r, want, canRaiseLimits())
	}
	// Lower a soft limit (Go raises NOFILE's to the hard one at start) to
	// see that rootless uses the hard one.
	var nproc unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &nproc); err != nil {
		t.Fatal(err)
	}
	if nproc.Max > 2 {
		lower := unix.Rlimit{Cur: min(nproc.Max-1, 1<<20), Max: nproc.Max}
		if err := unix.Setrlimit(unix.RLIMIT_NPROC, &lower); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = unix.Setrlimit(unix.RLIMIT_NPROC, &nproc) })
	}
	opts := baseOptions()
	opts.Rootless = true
	s = mustSpec(t, &container.Config{}, opts)
	for typ, res := range map[string]int{"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC} {
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			t.Fatal(err)
		}
		if r := get(s, typ); r.Soft != cur.Max || r.Hard != cur.Max {
			t.Errorf("rootless %s = %+v, want %d/%d", typ, r, cur.Max, cur.Max)
		}
	}
}

func TestSpecJSONRoundTrip(t *testing.T) {
	opts := baseOptions()
	opts.HostsFile = "/run/hosts"
	for _, cfg := range []container.Config{
		{},
		{Privileged: true, Tty: true},
		{CapDrop: []string{"ALL"}, NetworkMode: "host", SecurityOpt: []string{"no-new-privileges"}},
	} {
		s := mustSpec(t, &cfg, opts)
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back specs.Spec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		b2, err := json.Marshal(&back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, b2) {
			t.Errorf("round trip changed the spec:\n%s\n%s", b, b2)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"ociVersion", "process", "root", "hostname", "mounts", "linux"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("JSON lacks %q", k)
			}
		}
		if back.Version != ociVersion || back.Process.Cwd == "" || back.Root.Path == "" {
			t.Errorf("spec after round trip: %+v", back)
		}
	}
}

// TestSpecDeviceRulesAndOOM: --device-cgroup-rule's rules follow the
// default ones in a rootful spec (* as no number), --oom-kill-disable
// turns the OOM killer off; rootless specs have no device cgroup.
func TestSpecDeviceRulesAndOOM(t *testing.T) {
	cfg := &container.Config{DeviceCgroupRules: []string{"c 1:3 mr", "b 8:* rw"}, OOMKillDisable: true}
	s := mustSpec(t, cfg, baseOptions())
	devs := s.Linux.Resources.Devices
	if len(devs) < 3 {
		t.Fatalf("devices: %+v", devs)
	}
	c, b := devs[len(devs)-2], devs[len(devs)-1]
	if c.Type != "c" || *c.Major != 1 || *c.Minor != 3 || c.Access != "mr" || !c.Allow {
		t.Errorf("the c rule: %+v", c)
	}
	if b.Type != "b" || *b.Major != 8 || b.Minor != nil || b.Access != "rw" {
		t.Errorf("the b rule (minor *): %+v", b)
	}
	if m := s.Linux.Resources.Memory; m == nil || m.DisableOOMKiller == nil || !*m.DisableOOMKiller {
		t.Errorf("--oom-kill-disable: %+v", m)
	}
	o := baseOptions()
	o.Rootless = true
	if s := mustSpec(t, &container.Config{DeviceCgroupRules: []string{"c 1:3 mr"}}, o); s.Linux.Resources != nil {
		t.Errorf("a rootless spec got resources: %+v", s.Linux.Resources)
	}
	// Rootless with a cgroup of its own (delegated, cgroup v2): the limits too.
	o.CgroupV2, o.OwnCgroup = true, "/user.slice/u/app.slice/web.service"
	if m := mustSpec(t, &container.Config{OOMKillDisable: true}, o).Linux.Resources; m == nil || m.Memory == nil || m.Memory.DisableOOMKiller == nil || !*m.Memory.DisableOOMKiller {
		t.Errorf("--oom-kill-disable with a delegated cgroup: %+v", m)
	}
	for _, bad := range []string{"c 1:3", "x 1:3 r", "c 1 r", "c a:3 r", "c 1:3 rx"} {
		if _, err := container.ParseDeviceRule(bad); err == nil {
			t.Errorf("ParseDeviceRule(%q) passed", bad)
		}
	}
}
