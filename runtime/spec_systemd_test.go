package runtime

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
)

func TestSpecSystemd(t *testing.T) {
	opts := baseOptions()
	opts.Systemd = true
	opts.Mounts = []specs.Mount{{Destination: "/tmp", Type: "bind", Source: "/srv/tmp", Options: []string{"rbind"}}}
	s := mustSpec(t, &container.Config{}, opts)
	for _, dst := range []string{"/run", "/run/lock", "/var/log/journal"} {
		m := findMount(s, dst)
		if m == nil || m.Type != "tmpfs" || !slices.Contains(m.Options, "tmpcopyup") || !slices.Contains(m.Options, "nosuid") {
			t.Errorf("%s = %+v, want a tmpfs filled from the image", dst, m)
		}
	}
	if m := findMount(s, "/tmp"); m == nil || m.Source != "/srv/tmp" {
		t.Errorf("the user's /tmp was replaced: %+v", m)
	}
	idx := func(d string) int {
		return slices.IndexFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == d })
	}
	if idx("/run") > idx("/run/lock") {
		t.Errorf("/run/lock before /run: %v", s.Mounts)
	}
	if cg := findMount(s, "/sys/fs/cgroup"); cg == nil || slices.Contains(cg.Options, "ro") {
		t.Errorf("/sys/fs/cgroup of a systemd container = %+v, want it writable", cg)
	}
	if s := mustSpec(t, &container.Config{}, baseOptions()); findMount(s, "/run") != nil || !slices.Contains(findMount(s, "/sys/fs/cgroup").Options, "ro") {
		t.Error("a container that is no systemd one got systemd's mounts")
	}
}

func TestSpecSystemdCgroup(t *testing.T) {
	cases := []struct {
		name string
		opts func(*SpecOptions)
		want string
	}{
		{"rootful", func(o *SpecOptions) {}, "/pod/" + testID},
		{"rootless v2 delegated", func(o *SpecOptions) {
			o.Rootless, o.CgroupV2, o.OwnCgroup = true, true, "/user.slice/u/app.slice/web.service"
		}, "/user.slice/u/app.slice/web.service/pod-" + testID},
		// Any container under a delegated cgroup gets one of its own.
		{"rootless v2 not systemd", func(o *SpecOptions) { o.Rootless, o.CgroupV2, o.OwnCgroup, o.Systemd = true, true, "/x", false }, "/x/pod-" + testID},
		{"rootless v2 not delegated", func(o *SpecOptions) { o.Rootless, o.CgroupV2 = true, true }, ""},
		{"rootless v1", func(o *SpecOptions) { o.Rootless = true }, ""},
	}
	for _, c := range cases {
		opts := baseOptions()
		opts.Systemd = true
		c.opts(&opts)
		if got := mustSpec(t, &container.Config{}, opts).Linux.CgroupsPath; got != c.want {
			t.Errorf("%s: cgroupsPath %q, want %q", c.name, got, c.want)
		}
	}
}
