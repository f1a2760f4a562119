package container

import (
	"strings"
	"testing"
)

func TestParseUlimit(t *testing.T) {
	good := map[string]Ulimit{
		"nofile=1024":          {"nofile", 1024, 1024},
		"nofile=1024:2048":     {"nofile", 1024, 2048},
		"core=0":               {"core", 0, 0},
		"memlock=-1:-1":        {"memlock", -1, -1},
		"stack=8192:unlimited": {"stack", 8192, -1},
		"nproc=unlimited:-1":   {"nproc", -1, -1},
	}
	for in, want := range good {
		got, err := ParseUlimit(in)
		if err != nil || got != want {
			t.Errorf("%s: %+v, %v; want %+v", in, got, err, want)
		}
	}
	if u, _ := ParseUlimit("nofile=1"); u.RlimitType() != "RLIMIT_NOFILE" {
		t.Errorf("RlimitType %q", u.RlimitType())
	}
	for _, bad := range []string{"nofile", "files=1", "nofile=x", "nofile=2048:1024", "nofile=-1:10", "nofile=1:x", "nofile=-5"} {
		if _, err := ParseUlimit(bad); err == nil || !strings.Contains(err.Error(), "--ulimit") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestCheckSysctl(t *testing.T) {
	for _, ok := range [][2]string{{"net.ipv4.ip_forward", ""}, {"kernel.shmmax", "host"}, {"fs.mqueue.msg_max", ""}} {
		if err := CheckSysctl(ok[0], ok[1]); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range [][2]string{{"net.ipv4.ip_forward", "host"}, {"kernel.hostname", ""}, {"vm.swappiness", ""}} {
		if err := CheckSysctl(bad[0], bad[1]); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
	if m, err := ParseUmask("0077"); err != nil || m != 0o77 {
		t.Errorf("umask 0077: %o %v", m, err)
	}
	for _, bad := range []string{"8", "01000", "abc", ""} {
		if _, err := ParseUmask(bad); err == nil {
			t.Errorf("umask %q: no error", bad)
		}
	}
}

func TestParseDevice(t *testing.T) {
	good := map[string]DeviceMapping{
		"/dev/fuse":           {"/dev/fuse", "/dev/fuse", "rwm"},
		"/dev/zero:/dev/z":    {"/dev/zero", "/dev/z", "rwm"},
		"/dev/zero:r":         {"/dev/zero", "/dev/zero", "r"},
		"/dev/zero:/dev/z:rw": {"/dev/zero", "/dev/z", "rw"},
	}
	for in, want := range good {
		if got, err := ParseDevice(in); err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"dev/fuse", "/dev/zero:z", "/dev/zero:/dev/z:x", "/a:/b:r:w"} {
		if _, err := ParseDevice(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

// TestHostUlimits: --ulimit host reads pod's own limits, nofile among them.
func TestHostUlimits(t *testing.T) {
	var nofile *Ulimit
	us := HostUlimits()
	for i := range us {
		if us[i].Name == "nofile" {
			nofile = &us[i]
		}
	}
	if len(us) < 10 || nofile == nil || nofile.Soft <= 0 {
		t.Fatalf("HostUlimits: %+v", us)
	}
}
