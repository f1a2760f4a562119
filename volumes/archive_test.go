package volumes

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

type tarEntry struct {
	name, data, link string
	typ              byte
}

func makeTar(t *testing.T, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Size: int64(len(e.data)), Linkname: e.link}
		if typ != tar.TypeReg {
			h.Size = 0
		}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			_, _ = tw.Write([]byte(e.data))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExportImportRoundTrip(t *testing.T) {
	s := testStore(t)
	v, err := s.Create(CreateOptions{Name: "src"})
	if err != nil {
		t.Fatal(err)
	}
	mkfs(t, v.Mountpoint, []fsEntry{
		{path: "a/b/c.txt", data: "deep", mode: 0o600},
		{path: "top", data: "top", mode: 0o755},
		{path: "empty", dir: true, mode: 0o1777 | os.ModeSticky},
		{path: "link", link: "a/b/c.txt"},
		{path: "abs", link: "/etc/passwd"},
	})
	if err := os.Link(filepath.Join(v.Mountpoint, "top"), filepath.Join(v.Mountpoint, "a/hard")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Export("src", &buf); err != nil {
		t.Fatal(err)
	}
	if err := s.Import("dst", bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	d := s.DataDir("dst")
	if b, err := os.ReadFile(filepath.Join(d, "a/b/c.txt")); err != nil || string(b) != "deep" {
		t.Errorf("a/b/c.txt: %q, %v", b, err)
	}
	checkMode(t, filepath.Join(d, "a/b/c.txt"), 0o600)
	checkMode(t, filepath.Join(d, "top"), 0o755)
	checkMode(t, filepath.Join(d, "empty"), 0o777|os.ModeDir|os.ModeSticky)
	for l, want := range map[string]string{"link": "a/b/c.txt", "abs": "/etc/passwd"} {
		if got, err := os.Readlink(filepath.Join(d, l)); err != nil || got != want {
			t.Errorf("%s -> %q, %v; want %q", l, got, err, want)
		}
	}
	a, _ := os.Stat(filepath.Join(d, "top"))
	b, _ := os.Stat(filepath.Join(d, "a/hard"))
	if !os.SameFile(a, b) {
		t.Error("hard link not kept")
	}
}

func TestImportRefusesUnsafeArchives(t *testing.T) {
	for _, c := range []struct {
		name    string
		entries []tarEntry
	}{
		{"absolute", []tarEntry{{name: "ok", data: "1"}, {name: "/etc/evil", data: "x"}}},
		{"dotdot", []tarEntry{{name: "ok", data: "1"}, {name: "../evil", data: "x"}}},
		{"inner dotdot", []tarEntry{{name: "a/../../evil", data: "x"}}},
		{"dotdot dir", []tarEntry{{name: "../", typ: tar.TypeDir}}},
		{"hard link out", []tarEntry{{name: "h", link: "../../../etc/passwd", typ: tar.TypeLink}}},
		{"hard link absolute", []tarEntry{{name: "h", link: "/etc/passwd", typ: tar.TypeLink}}},
		{"through own symlink", []tarEntry{{name: "l", link: "/tmp", typ: tar.TypeSymlink}, {name: "l/evil", data: "x"}}},
		{"through own relative symlink", []tarEntry{{name: "l", link: "..", typ: tar.TypeSymlink}, {name: "l/evil", data: "x"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := testStore(t)
			outside := filepath.Dir(s.Dir())
			err := s.Import("vol", bytes.NewReader(makeTar(t, c.entries)))
			if !errors.Is(err, ErrUnsafeArchive) {
				t.Fatalf("want ErrUnsafeArchive, got %v", err)
			}
			if _, err := os.Stat(filepath.Join(outside, "evil")); err == nil {
				t.Error("a file was written outside the volume")
			}
			if ok, _ := s.Exists("vol"); ok {
				if empty, _ := isEmptyDir(s.DataDir("vol")); !empty {
					t.Error("part of a refused archive was written")
				}
			}
		})
	}
}

// TestImportNeverWritesThroughExistingLinks: symlinks already in the
// volume are neither followed to write an entry nor to reach its parent.
func TestImportNeverWritesThroughExistingLinks(t *testing.T) {
	s := testStore(t)
	v, err := s.Create(CreateOptions{Name: "vol"})
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	target := filepath.Join(outside, "target")
	if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	mkfs(t, v.Mountpoint, []fsEntry{{path: "file", link: target}, {path: "dir", link: outside}})
	err = s.Import("vol", bytes.NewReader(makeTar(t, []tarEntry{{name: "file", data: "overwritten"}})))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "keep" {
		t.Errorf("written through a symlink: %q", b)
	}
	if b, _ := os.ReadFile(filepath.Join(v.Mountpoint, "file")); string(b) != "overwritten" {
		t.Errorf("the symlink was not replaced by the file: %q", b)
	}
	err = s.Import("vol", bytes.NewReader(makeTar(t, []tarEntry{{name: "dir/evil", data: "x"}})))
	if !errors.Is(err, ErrUnsafeArchive) || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("want ErrUnsafeArchive for a path through a symlink, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(outside, "evil")); err == nil {
		t.Error("a file was written through a symlinked directory")
	}
}

// TestExportKeepsXattrsSkipsDevices: user.* attributes go through export
// and import; device nodes are no volume content.
func TestExportKeepsXattrsSkipsDevices(t *testing.T) {
	s := testStore(t)
	v, err := s.Create(CreateOptions{Name: "src"})
	if err != nil {
		t.Fatal(err)
	}
	mkfs(t, v.Mountpoint, []fsEntry{{path: "f", data: "x", mode: 0o644}})
	if err := unix.Setxattr(filepath.Join(v.Mountpoint, "f"), "user.k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := unix.Mknod(filepath.Join(v.Mountpoint, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := s.Export("src", &buf); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "null") {
		t.Error("a device node was exported")
	}
	if err := s.Import("dst", &buf); err != nil {
		t.Fatal(err)
	}
	val := make([]byte, 8)
	n, err := unix.Getxattr(filepath.Join(s.DataDir("dst"), "f"), "user.k", val)
	if err != nil || string(val[:n]) != "v" {
		t.Errorf("user.k after export and import: %q, %v", val[:max(n, 0)], err)
	}
}
