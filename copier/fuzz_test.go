package copier

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// FuzzExtract extracts arbitrary archives, confined and strict, into a
// root holding links to "/", above the root and to the host, and checks
// that nothing outside the root ever changes (the canary beside it) and
// that nothing panics. The seeds are the hostile archives.
func FuzzExtract(f *testing.F) {
	// One place for every input, so that paths, and so coverage, do not
	// change from one run of an input to the next.
	base := filepath.Join(f.TempDir(), "sandbox")
	f.Fuzz(func(t *testing.T, data []byte) {
		if !smallEntries(data) {
			return
		}
		// A hang is a failure too: the stacks say where.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				buf := make([]byte, 1<<20)
				panic(fmt.Sprintf("Extract hangs on %q:\n%s", data, buf[:runtime.Stack(buf, true)]))
			}
		}()
		// Any owner would do as root; unprivileged only one's own.
		self := &Owner{UID: os.Getuid(), GID: os.Getgid()}
		for _, strict := range []bool{false, true} {
			if err := os.Mkdir(base, 0o700); err != nil {
				t.Fatal(err)
			}
			s := sandboxIn(t, base)
			for _, l := range [][2]string{{"up", "../canary"}, {"esc", "/"}, {"host", s.canary}, {"file", s.canaryFile}} {
				if err := os.Symlink(l[1], filepath.Join(s.root, l[0])); err != nil {
					t.Fatal(err)
				}
			}
			o := ExtractOptions{Strict: strict, WriteOptions: WriteOptions{Owner: self, Devices: true}}
			_ = Extract(bytes.NewReader(data), s.root, "/", o)
			s.intact(t)
			wipe(t, base)
		}
	})
}

// wipe removes dir and everything in it, whatever modes an archive gave
// (and in the run that made them, so coverage depends on the input alone).
func wipe(t *testing.T, dir string) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

// smallEntries says whether every entry of the archive is small enough
// to fuzz with (sparse files can claim terabytes in a few bytes).
func smallEntries(data []byte) bool {
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) || err != nil {
			return true
		}
		if h.Size > 1<<20 {
			return false
		}
	}
}
