package lifecycle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestExecProcess(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	passwd := "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n"
	if err := os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	caps := []string{"CAP_CHOWN"}
	spec := &specs.Spec{
		Root: &specs.Root{Path: root},
		Process: &specs.Process{
			Args: []string{"sleep", "1000"}, Env: []string{"PATH=/bin", "HOME=/root"}, Cwd: "/srv",
			Capabilities:    &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps},
			NoNewPrivileges: true, Terminal: true,
		},
	}
	p, err := execProcess(spec, ExecOptions{Cmd: []string{"sh"}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Args, []string{"sh"}) || p.Terminal || p.Cwd != "/srv" || !p.NoNewPrivileges ||
		!reflect.DeepEqual(p.Env, spec.Process.Env) || !reflect.DeepEqual(p.Capabilities.Bounding, caps) {
		t.Errorf("plain exec: %+v", p)
	}
	p, err = execProcess(spec, ExecOptions{Cmd: []string{"id"}, User: "user", WorkingDir: "/tmp", Env: []string{"A=1"}, Tty: true, Privileged: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.User.UID != 1000 || p.User.GID != 1000 || p.Cwd != "/tmp" || !p.Terminal ||
		!reflect.DeepEqual(p.Env, []string{"PATH=/bin", "HOME=/home/user", "A=1", "TERM=xterm"}) ||
		len(p.Capabilities.Bounding) < 30 || len(p.Capabilities.Effective) != len(p.Capabilities.Bounding) {
		t.Errorf("exec with options: %+v", p)
	}
	if spec.Process.Args[0] != "sleep" || len(spec.Process.Env) != 2 || len(spec.Process.Capabilities.Bounding) != 1 {
		t.Errorf("execProcess changed the container's spec: %+v", spec.Process)
	}
	// A detached exec has no terminal.
	if p, _ := execProcess(spec, ExecOptions{Cmd: []string{"x"}, Tty: true, Detach: true}); p.Terminal {
		t.Errorf("detached exec got a terminal")
	}
	for _, o := range []ExecOptions{{Cmd: []string{"x"}, User: "nosuch"}, {Cmd: []string{"x"}, WorkingDir: "rel"}} {
		if _, err := execProcess(spec, o); err == nil {
			t.Errorf("execProcess(%+v): no error", o)
		}
	}
}

func TestOnUserMount(t *testing.T) {
	spec := &specs.Spec{Mounts: []specs.Mount{
		{Destination: "/proc"}, {Destination: "/dev/pts"}, {Destination: "/sys/fs/cgroup"},
		{Destination: "/etc/hosts"}, {Destination: "/opt/tools/"}, {Destination: "/data"},
	}}
	env := []string{"PATH=/usr/bin:/opt/tools/bin"}
	tests := []struct {
		cwd, argv0 string
		want       bool
	}{
		{"/", "/opt/tools/x", true},
		{"/", "/opt/toolsx", false},
		{"/data", "./run.sh", true},
		{"/", "data/run.sh", true},
		{"/", "/usr/bin/x", false},
		{"/", "mytool", true}, // PATH has /opt/tools/bin
		{"/", "/proc/self/exe", false},
		{"/", "/etc/hosts", false},
	}
	for _, tt := range tests {
		if got := onUserMount(spec, env, tt.cwd, tt.argv0); got != tt.want {
			t.Errorf("onUserMount(%q, %q) = %v, want %v", tt.cwd, tt.argv0, got, tt.want)
		}
	}
	if onUserMount(spec, []string{"PATH=/usr/bin"}, "/", "mytool") {
		t.Errorf("a PATH without mounts counted as on a mount")
	}
}
