package image

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.podman.io/image/v5/types"
)

// lookout watches where a copy keeps its temporary files, from inside
// the copy: at each read or write of the stream it serves, it notes what
// $TMPDIR and the store's tmp/ hold.
type lookout struct {
	tmpdir, storeTmp string
	inTMPDIR         map[string]bool
	inStore          map[string]bool
}

func newLookout(t *testing.T, st interface{ GraphRoot() string }) *lookout {
	t.Helper()
	tmpdir := t.TempDir()
	t.Setenv("TMPDIR", tmpdir)
	return &lookout{tmpdir: tmpdir, storeTmp: filepath.Join(st.GraphRoot(), "tmp"),
		inTMPDIR: map[string]bool{}, inStore: map[string]bool{}}
}

func (l *lookout) look() {
	for dir, seen := range map[string]map[string]bool{l.tmpdir: l.inTMPDIR, l.storeTmp: l.inStore} {
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			seen[strings.SplitN(e.Name(), "-", 2)[0]] = true
		}
	}
}

// check fails unless the operation kept op's directory in the store,
// nothing in $TMPDIR, and left the store's tmp/ empty.
func (l *lookout) check(t *testing.T, op string) {
	t.Helper()
	if len(l.inTMPDIR) != 0 || !l.inStore[op] {
		t.Fatalf("%s: seen in $TMPDIR %v, in the store's tmp/ %v; want only %s-… in the store", op, l.inTMPDIR, l.inStore, op)
	}
	ents, _ := os.ReadDir(l.storeTmp)
	if left, _ := os.ReadDir(l.tmpdir); len(ents) != 0 || len(left) != 0 {
		t.Fatalf("%s: left %v in the store's tmp/ and %v in $TMPDIR", op, ents, left)
	}
	clear(l.inTMPDIR)
	clear(l.inStore)
}

type lookingReader struct {
	*lookout
	r io.Reader
}

func (r lookingReader) Read(p []byte) (int, error) { r.look(); return r.r.Read(p) }

type lookingWriter struct {
	*lookout
	w io.Writer
}

func (w lookingWriter) Write(p []byte) (int, error) { w.look(); return w.w.Write(p) }

// save and load keep every temporary file (the archive on its way out,
// standard input spooled, the library's blobs) in the store, in a
// directory of their own that they remove.
func TestSaveLoadKeepTemporaryFilesInTheStore(t *testing.T) {
	st := openTestStore(t)
	ctx := context.Background()
	rootfs := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(rootfs, testTar(t, map[string]string{"f": strings.Repeat("x", 1<<20)}), 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := Import(ctx, st, ImportOptions{Source: rootfs, Reference: "demo:1"})
	if err != nil {
		t.Fatal(err)
	}
	l := newLookout(t, st)

	var archive bytes.Buffer
	if err := Save(ctx, st, []string{"demo:1"}, SaveOptions{Writer: lookingWriter{l, &archive}}); err != nil {
		t.Fatal(err)
	}
	l.check(t, "save")
	if res := Remove(st, []string{"demo:1"}, RemoveOptions{}); res[0].Err != nil || res[0].Deleted != id {
		t.Fatalf("rmi: %+v", res)
	}
	loaded, err := Load(ctx, st, LoadOptions{Reader: lookingReader{l, bytes.NewReader(archive.Bytes())}})
	if err != nil || len(loaded) != 1 || loaded[0].ID != id {
		t.Fatalf("load: %v, %v; want %s", loaded, err, id)
	}
	l.check(t, "load")

	// A push reads layers from the store through spooled files.
	pushed := filepath.Join(t.TempDir(), "pushed.tar")
	if _, err := Push(ctx, st, "demo:1", "oci-archive:"+pushed, PushOptions{Progress: lookingWriter{l, io.Discard}}); err != nil {
		t.Fatal(err)
	}
	l.check(t, "push")

	// To files, of both archive formats: only the archive beside them.
	out := t.TempDir()
	for _, format := range []string{FormatDockerArchive, FormatOCIArchive} {
		file := filepath.Join(out, format+".tar")
		if err := Save(ctx, st, []string{"demo:1"}, SaveOptions{Format: format, Output: file}); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(file); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v, %v", format, fi, err)
		}
		if loaded, err := Load(ctx, st, LoadOptions{Input: file}); err != nil || loaded[0].ID != id {
			t.Fatalf("loading the %s: %v, %v", format, loaded, err)
		}
	}
	if ents, _ := os.ReadDir(out); len(ents) != 2 {
		t.Fatalf("beside the archives: %v", ents)
	}
	l.look()
	if len(l.inTMPDIR) != 0 || len(l.inStore) != 0 {
		t.Fatalf("left in $TMPDIR %v, in the store's tmp/ %v", l.inTMPDIR, l.inStore)
	}
}

// A copy set up without its own temporary directory would spool into
// /var/tmp: it is refused.
func TestCopyNeedsATemporaryDirectory(t *testing.T) {
	_, err := copyOnce(context.Background(), nil, &types.SystemContext{}, nil, nil, nil, nil)
	if !errors.Is(err, errNoTempDir) {
		t.Fatalf("got %v, want errNoTempDir", err)
	}
}
