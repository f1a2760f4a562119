package lifecycle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pod-project/pod/container"
)

func TestBuildMountpointsRemoved(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	created := newMountpoints(root, []container.Mount{{Destination: "/run/secrets/tok"}, {Destination: "/cache"}, {Destination: "/run"}})
	if len(created[0]) != 2 || len(created[1]) != 1 || len(created[2]) != 0 {
		t.Fatalf("created = %v", created)
	}
	// What the runtime makes, and a file the step wrote beside /cache's mount.
	if err := os.MkdirAll(filepath.Join(root, "run/secrets"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "run/secrets/tok"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "cache/kept"), 0o755); err != nil {
		t.Fatal(err)
	}
	removeMountpoints(created)
	if _, err := os.Lstat(filepath.Join(root, "run/secrets")); !os.IsNotExist(err) {
		t.Errorf("/run/secrets left: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(root, "run")); err != nil {
		t.Errorf("/run (in the image before) removed: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(root, "cache/kept")); err != nil {
		t.Errorf("a directory the step made was removed: %v", err)
	}
}
