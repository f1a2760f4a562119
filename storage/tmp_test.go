package storage

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMkdirTempReclaimsOnlyDeadOwners(t *testing.T) {
	root := t.TempDir()
	mine, err := MkdirTemp(root, "build-copy")
	if err != nil {
		t.Fatal(err)
	}
	// A directory of a process that no longer runs (start time 1 never
	// matches a live PID 1 started later than the first tick)...
	dead := filepath.Join(root, tmpDir, "pull-1-1-abc")
	// ...and one whose name says nothing about its owner.
	odd := filepath.Join(root, tmpDir, "junk")
	for _, d := range []string{dead, odd} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := ReclaimTemp(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Fatalf("removed %v, want the dead owner's and the unnamed directory", removed)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("the live owner's directory went: %v", err)
	}
	for _, d := range []string{dead, odd} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Fatalf("%s survived: %v", d, err)
		}
	}
}
