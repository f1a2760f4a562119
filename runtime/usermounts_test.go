package runtime

import (
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestWithUserMounts(t *testing.T) {
	defaults := []specs.Mount{
		{Destination: "/proc", Type: "proc"},
		{Destination: "/dev", Type: "tmpfs"},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm"},
		{Destination: "/etc/hosts", Type: "bind", Source: "/bundle/hosts"},
	}
	user := []specs.Mount{
		{Destination: "/data", Type: "bind", Source: "/vols/data/_data"},
		{Destination: "/dev/shm/", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1g"}},
		{Destination: "/etc/hosts", Type: "bind", Source: "/home/u/hosts"},
	}
	got := withUserMounts(defaults, user)
	want := []string{"/proc:proc:", "/dev:tmpfs:", "/dev/shm/:tmpfs:tmpfs", "/etc/hosts:bind:/home/u/hosts", "/data:bind:/vols/data/_data"}
	if len(got) != len(want) {
		t.Fatalf("got %d mounts %+v, want %v", len(got), got, want)
	}
	for i, m := range got {
		if s := m.Destination + ":" + m.Type + ":" + m.Source; s != want[i] {
			t.Errorf("mount %d = %s, want %s", i, s, want[i])
		}
	}
	if got := withUserMounts(defaults, nil); len(got) != len(defaults) {
		t.Errorf("no user mounts changed the defaults: %+v", got)
	}
}
