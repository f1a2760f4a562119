package storage

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
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

func TestReserveReleasedOnNoSpace(t *testing.T) {
	root := t.TempDir()
	EnsureReserve(root)
	fi, err := os.Stat(filepath.Join(root, reserveFile))
	if err != nil || fi.Size() != reserveSize {
		t.Fatalf("reserve %v, %v", fi, err)
	}
	calls := 0
	err = WithReserve(root, func() error {
		calls++
		if calls == 1 {
			return &os.PathError{Op: "write", Path: "layers.json", Err: unix.ENOSPC}
		}
		return nil
	})
	if err != nil || calls != 2 {
		t.Fatalf("WithReserve = %v after %d calls, want success on the second", err, calls)
	}
	if _, err := os.Stat(filepath.Join(root, reserveFile)); !os.IsNotExist(err) {
		t.Fatalf("the reserve was not released: %v", err)
	}
	// Other errors are returned at once, without touching the reserve.
	EnsureReserve(root)
	calls = 0
	if err := WithReserve(root, func() error { calls++; return os.ErrPermission }); err != os.ErrPermission || calls != 1 {
		t.Fatalf("WithReserve of another error = %v after %d calls", err, calls)
	}
	if _, err := os.Stat(filepath.Join(root, reserveFile)); err != nil {
		t.Fatalf("the reserve went for another error: %v", err)
	}
}

func TestWritersAndReclaiming(t *testing.T) {
	root := t.TempDir()
	release, err := HoldWriting(root)
	if err != nil {
		t.Fatal(err)
	}
	second, err := HoldWriting(root)
	if err != nil {
		t.Fatalf("a second writer waits: %v", err)
	}
	if _, err := HoldReclaiming(root); err != ErrWritersBusy {
		t.Fatalf("HoldReclaiming with writers = %v, want ErrWritersBusy", err)
	}
	release()
	second()
	done, err := HoldReclaiming(root)
	if err != nil {
		t.Fatalf("HoldReclaiming with no writer: %v", err)
	}
	done()
}

// MkdirOwned names a directory elsewhere than the graph root after its
// owner, and ReclaimOwned spares it while the owner lives.
func TestMkdirOwnedInAnyBase(t *testing.T) {
	base := filepath.Join(t.TempDir(), ".tmp")
	mine, err := MkdirOwned(base, "import")
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(mine) != base {
		t.Fatalf("made %s, want it in %s", mine, base)
	}
	if owner, ok := tempOwner(filepath.Base(mine)); !ok || !owner.Alive() {
		t.Fatalf("%s does not name this live process", mine)
	}
	removed, err := ReclaimOwned(base)
	if err != nil || len(removed) != 0 {
		t.Fatalf("reclaimed %v, %v; want nothing", removed, err)
	}
	if removed, err := ReclaimOwned(filepath.Join(t.TempDir(), "missing")); err != nil || removed != nil {
		t.Fatalf("a missing base: %v, %v", removed, err)
	}
}
