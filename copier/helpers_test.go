package copier

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var (
	testTime  = time.Unix(1700000000, 123456789)
	testATime = time.Unix(1700000500, 0)
	asRoot    = os.Geteuid() == 0
)

// testOwner is who extracted files belong to in a test: as root, nil
// (the archive's owners); unprivileged, the test's own user, the only
// owner it may give.
func testOwner() *Owner {
	if asRoot {
		return nil
	}
	return &Owner{UID: os.Getuid(), GID: os.Getgid()}
}

// node is one entry of a test tree: a file with data, a directory, a
// symbolic link (link), a hard link to another node (hard), or a FIFO.
type node struct {
	path, data, link, hard string
	dir, fifo              bool
	mode                   fs.FileMode // permission bits incl. setuid etc.; 0: 0644 / 0755
	uid, gid               int         // applied when running as root
	xattrs                 map[string]string
}

// mktree makes nodes under dir, parents first (give them in order).
func mktree(t *testing.T, dir string, nodes ...node) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(dir, n.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case n.link != "":
			err = os.Symlink(n.link, p)
		case n.hard != "":
			err = os.Link(filepath.Join(dir, n.hard), p)
		case n.dir:
			err = os.Mkdir(p, 0o755)
		case n.fifo:
			err = unix.Mkfifo(p, 0o644)
		default:
			err = os.WriteFile(p, []byte(n.data), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		if n.hard != "" {
			continue
		}
		if asRoot && (n.uid != 0 || n.gid != 0) {
			if err := os.Lchown(p, n.uid, n.gid); err != nil {
				t.Fatal(err)
			}
		}
		if n.link == "" && n.mode != 0 {
			if err := os.Chmod(p, n.mode); err != nil {
				t.Fatal(err)
			}
		}
		for k, v := range n.xattrs {
			if err := unix.Lsetxattr(p, k, []byte(v), 0); err != nil {
				t.Fatalf("setxattr %s on %s: %v", k, p, err)
			}
		}
		ts := []unix.Timespec{unix.NsecToTimespec(testATime.UnixNano()), unix.NsecToTimespec(testTime.UnixNano())}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			t.Fatal(err)
		}
	}
	// Directory times again: their entries changed them.
	for i := len(nodes) - 1; i >= 0; i-- {
		if nodes[i].dir {
			p := filepath.Join(dir, nodes[i].path)
			if err := os.Chtimes(p, testATime, testTime); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// describe lists every entry under dir, one line each: path, type and
// mode, owner, mtime, link target or content, user.*/trusted.* xattrs,
// and the first path of its inode when hard linked.
func describe(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	inodes := map[uint64]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		line := fmt.Sprintf("%s %v %d:%d %s", rel, fi.Mode(), st.Uid, st.Gid, fi.ModTime().UTC().Format(time.RFC3339Nano))
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			line += " -> " + target
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %q", b)
			if st.Nlink > 1 {
				if first, ok := inodes[st.Ino]; ok {
					line += " =" + first
				} else {
					inodes[st.Ino] = rel
				}
			}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			line += xattrList(p)
		}
		out = append(out, line)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func xattrList(p string) string {
	buf := make([]byte, 4096)
	n, err := unix.Llistxattr(p, buf)
	if err != nil || n == 0 {
		return ""
	}
	var names []string
	for _, k := range strings.Split(string(buf[:n]), "\x00") {
		if strings.HasPrefix(k, "user.") || strings.HasPrefix(k, "trusted.") {
			v := make([]byte, 1024)
			m, _ := unix.Lgetxattr(p, k, v)
			names = append(names, k+"="+string(v[:max(m, 0)]))
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return ""
	}
	return " [" + strings.Join(names, " ") + "]"
}

func sameLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// entry is one tar entry of a test archive.
type entry struct {
	name, data, link string
	typ              byte
	mode             int64
	uid, gid         int
}

// mktar makes a tar archive of entries: a regular file unless typ says
// otherwise.
func mktar(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link, Uid: e.uid, Gid: e.gid, ModTime: testTime.Truncate(time.Second)}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
			if h.Typeflag == tar.TypeDir {
				h.Mode = 0o755
			}
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.data)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sandbox is a directory holding a root to write into and, beside it, a
// canary directory (with a file) that nothing may ever touch.
type sandbox struct {
	dir, root, canary, canaryFile string
}

func newSandbox(t testing.TB) *sandbox {
	t.Helper()
	return sandboxIn(t, t.TempDir())
}

// sandboxIn makes a sandbox in the empty directory dir.
func sandboxIn(t testing.TB, dir string) *sandbox {
	t.Helper()
	s := &sandbox{dir: dir, root: filepath.Join(dir, "root"), canary: filepath.Join(dir, "canary")}
	s.canaryFile = filepath.Join(s.canary, "file")
	for _, d := range []string{s.root, s.canary} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(s.canaryFile, []byte("canary"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// intact checks that nothing outside root changed: the sandbox holds
// root and canary only, canary its file only, with its content, linked
// from nowhere.
func (s *sandbox) intact(t testing.TB) {
	t.Helper()
	if ents, _ := os.ReadDir(s.dir); len(ents) != 2 {
		t.Fatalf("the sandbox holds %v, want root and canary only", names(ents))
	}
	if ents, _ := os.ReadDir(s.canary); len(ents) != 1 {
		t.Fatalf("the canary directory holds %v", names(ents))
	}
	fi, err := os.Lstat(s.canaryFile)
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("the canary file: %v %v", fi, err)
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Nlink != 1 {
		t.Fatalf("the canary file was hard linked (%d links)", st.Nlink)
	}
	if b, _ := os.ReadFile(s.canaryFile); string(b) != "canary" {
		t.Fatalf("the canary file holds %q", b)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Fatalf("the canary file's mode is %v", fi.Mode())
	}
}

func names(ents []os.DirEntry) []string {
	var n []string
	for _, e := range ents {
		n = append(n, e.Name())
	}
	return n
}
