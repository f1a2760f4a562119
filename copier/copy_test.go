package copier

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// richTree is a tree with every kind of entry and metadata the copier
// keeps.
func richTree(t *testing.T, dir string) {
	t.Helper()
	x := map[string]string{"user.k": "v"}
	if asRoot {
		x["trusted.t"] = "w"
	}
	mktree(t, dir,
		node{path: "d", dir: true, mode: fs.ModeSetgid | 0o750, uid: 1000, gid: 1000},
		node{path: "d/f", data: "content", mode: 0o640, uid: 1234, gid: 5678, xattrs: x},
		node{path: "d/suid", data: "#!/bin/sh\n", mode: fs.ModeSetuid | fs.ModeSetgid | 0o755, uid: 1, gid: 1},
		node{path: "d/hard", hard: "d/f"},
		node{path: "d/abs", link: "/etc/passwd", uid: 7, gid: 7},
		node{path: "d/up", link: "../../../.."},
		node{path: "d/dangling", link: "nowhere"},
		node{path: "d/fifo", fifo: true, mode: 0o600},
		node{path: "d/sticky", dir: true, mode: fs.ModeSticky | 0o777, xattrs: map[string]string{"user.dir": "yes"}},
		node{path: "d/sticky/empty"},
	)
}

func TestCopyKeepsEverything(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	richTree(t, src)
	if err := Copy(src, "/d", s.root, "/out", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(s.root, "out/f"), &st); err != nil || st.Atim.Nano() != testATime.UnixNano() {
		t.Errorf("atime of out/f: %v, want %v (%v)", st.Atim, testATime, err)
	}
	sameLines(t, "the copy", describe(t, filepath.Join(s.root, "out")), describe(t, filepath.Join(src, "d")))
	s.intact(t)
}

func TestCopyOverrides(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	richTree(t, src)
	mode := fs.FileMode(0o705) // with x: directories get it too
	o := CopyOptions{WriteOptions: WriteOptions{Owner: testOwner(), Mode: &mode}}
	if asRoot {
		o.Owner = &Owner{UID: 42, GID: 43}
	}
	if err := Copy(src, "/d", s.root, "/out", o); err != nil {
		t.Fatal(err)
	}
	err := filepath.WalkDir(filepath.Join(s.root, "out"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		if int(st.Uid) != o.Owner.UID || int(st.Gid) != o.Owner.GID {
			t.Errorf("%s: owner %d:%d, want %d:%d", p, st.Uid, st.Gid, o.Owner.UID, o.Owner.GID)
		}
		if fi.Mode()&fs.ModeSymlink == 0 && fi.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky) != mode {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), mode)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCopyExclude(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	mktree(t, src,
		node{path: "a", dir: true}, node{path: "a/keep"}, node{path: "a/drop.log"},
		node{path: "a/skip", dir: true}, node{path: "a/skip/inner"},
	)
	var asked []string
	exclude := func(rel string, isDir bool) (bool, error) {
		asked = append(asked, rel)
		return strings.HasSuffix(rel, ".log") || rel == "skip" && isDir, nil
	}
	if err := Copy(src, "/a", s.root, "/a", CopyOptions{Exclude: exclude}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range describe(t, filepath.Join(s.root, "a")) {
		got = append(got, strings.Fields(l)[0])
	}
	sameLines(t, "copied", got, []string{".", "keep"})
	sameLines(t, "asked", asked, []string{"drop.log", "keep", "skip"})
	bad := errors.New("bad pattern")
	if err := Copy(src, "/a", s.root, "/b", CopyOptions{Exclude: func(string, bool) (bool, error) { return false, bad }}); !errors.Is(err, bad) {
		t.Errorf("an Exclude error is returned: %v", err)
	}
}

// TestCopyDestStaysInRoot: links already in the destination, pointing
// to "/", above the root or to a host directory, are resolved inside the
// root, and a link at the destination itself is replaced, not written
// through.
func TestCopyDestStaysInRoot(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	mktree(t, src, node{path: "f", data: "payload"}, node{path: "dir", dir: true}, node{path: "dir/g", data: "g"})
	mktree(t, s.root,
		node{path: "esc", link: "/"},
		node{path: "up", link: "../../../../.."},
		node{path: "host", link: s.canary},
		node{path: "hostfile", link: s.canaryFile},
		node{path: "reldir", link: "../canary"},
	)
	for _, c := range []struct{ dst, want string }{
		{"/esc/a", "a"},
		{"/up/b", "b"},
		{"/host/c", filepath.Join(s.canary[1:], "c")},
		{"/reldir/file", "canary/file"},
		{"/../../../d", "d"},
		{"/hostfile", "hostfile"},
	} {
		if err := Copy(src, "/f", s.root, c.dst, CopyOptions{}); err != nil {
			t.Fatalf("to %s: %v", c.dst, err)
		}
		if b, err := os.ReadFile(filepath.Join(s.root, c.want)); err != nil || string(b) != "payload" {
			t.Errorf("to %s: %s holds %q, %v", c.dst, c.want, b, err)
		}
	}
	if err := Copy(src, "/dir", s.root, "/esc/dir", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(s.root, "dir/g")); err != nil || string(b) != "g" {
		t.Errorf("dir/g holds %q, %v", b, err)
	}
	s.intact(t)
}

// TestCopySourceStaysInRoot: the source is resolved inside its root.
func TestCopySourceStaysInRoot(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	mktree(t, src, node{path: "host", link: s.canary}, node{path: "up", link: "../../.."}, node{path: "lnk", link: "host/file"})
	for _, p := range []string{"/host/file", "/up" + s.canaryFile} {
		if err := Copy(src, p, s.root, "/x", CopyOptions{}); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("copying %s: %v, want it missing", p, err)
		}
	}
	// The source itself is not followed: a link is copied as a link.
	if err := Copy(src, "/lnk", s.root, "/lnk", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(filepath.Join(s.root, "lnk")); err != nil || target != "host/file" {
		t.Errorf("lnk -> %q, %v", target, err)
	}
	s.intact(t)
}

func TestCopyReplaces(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	mktree(t, src, node{path: "f", data: "new"}, node{path: "d", dir: true, mode: 0o700}, node{path: "d/in", data: "in"})
	mktree(t, s.root,
		node{path: "file", data: "old"},
		node{path: "dir", dir: true}, node{path: "dir/old", data: "old"},
		node{path: "merge", dir: true, mode: 0o755}, node{path: "merge/old", data: "old"},
		node{path: "keep", dir: true, mode: 0o711},
	)
	if err := Copy(src, "/d", s.root, "/file", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Copy(src, "/f", s.root, "/dir", CopyOptions{WriteOptions: WriteOptions{NoReplaceDir: true}}); !errors.Is(err, ErrReplaceDir) {
		t.Errorf("a file over a directory with NoReplaceDir: %v", err)
	}
	if err := Copy(src, "/f", s.root, "/dir", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Copy(src, "/d", s.root, "/merge", CopyOptions{DestMeta: true}); err != nil {
		t.Fatal(err)
	}
	if err := Copy(src, "/d", s.root, "/keep", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		"dir":       `-rw-r--r-- "new"`, // a file replaced the directory
		"file":      "drwx------",       // a directory replaced the file
		"file/in":   `-rw-r--r-- "in"`,  //
		"merge":     "drwx------",       // merged, with the source's mode
		"merge/in":  `-rw-r--r-- "in"`,  //
		"merge/old": `-rw-r--r-- "old"`, //
		"keep":      "drwx--x--x",       // merged, keeping its own mode
		"keep/in":   `-rw-r--r-- "in"`,  //
	} {
		fi, err := os.Lstat(filepath.Join(s.root, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		got := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(filepath.Join(s.root, p))
			got += fmt.Sprintf(" %q", b)
		}
		if got != want {
			t.Errorf("%s: %s, want %s", p, got, want)
		}
	}
}

func TestCopyIntoRootDirectory(t *testing.T) {
	src, s := t.TempDir(), newSandbox(t)
	mktree(t, src, node{path: "d", dir: true, mode: fs.ModeSetgid | 0o750}, node{path: "d/f", data: "f"})
	if err := Copy(src, "/d", s.root, "/", CopyOptions{DestMeta: true}); err != nil {
		t.Fatal(err)
	}
	sameLines(t, "copied onto the root", describe(t, s.root), describe(t, filepath.Join(src, "d")))
	if err := Copy(src, "/d/f", s.root, "/", CopyOptions{}); err == nil {
		t.Error("a file replaced the root")
	}
}

func TestCopyDevices(t *testing.T) {
	if !asRoot {
		t.Skip("making a device node needs root")
	}
	src, s := t.TempDir(), newSandbox(t)
	if err := unix.Mknod(filepath.Join(src, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	if err := Copy(src, "/", s.root, "/without", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(s.root, "without/null")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a device node was copied without Devices: %v", err)
	}
	if err := Copy(src, "/", s.root, "/with", CopyOptions{WriteOptions: WriteOptions{Devices: true}}); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Join(s.root, "with/null"), &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
		t.Errorf("with Devices: %+v, %v", st, err)
	}
}

func TestResolveAndLstat(t *testing.T) {
	s := newSandbox(t)
	mktree(t, s.root,
		node{path: "etc", dir: true}, node{path: "etc/passwd", data: "root"},
		node{path: "pw", link: "/etc/passwd"},
		node{path: "up", link: "../../../etc"},
		node{path: "host", link: s.canary},
	)
	for p, want := range map[string]string{
		"/pw": "/etc/passwd", "pw": "/etc/passwd", "/up/passwd": "/etc/passwd", "/../../etc": "/etc",
		"/host/file": s.canaryFile, "/missing/x": "/missing/x", "/": "/",
	} {
		if got, err := Resolve(s.root, p); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %q", p, got, err, want)
		}
	}
	if fi, err := Lstat(s.root, "/up/passwd"); err != nil || !fi.Mode().IsRegular() || fi.Size() != 4 {
		t.Errorf("Lstat(/up/passwd) = %v, %v", fi, err)
	}
	if fi, err := Lstat(s.root, "/pw"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("Lstat(/pw) = %v, %v; want the link", fi, err)
	}
	if fi, err := Stat(s.root, "/pw"); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("Stat(/pw) = %v, %v; want the file", fi, err)
	}
	if _, err := Lstat(s.root, "/host/file"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lstat through a link to the host: %v", err)
	}
	if fi, err := Lstat(s.root, "/"); err != nil || !fi.IsDir() {
		t.Errorf("Lstat(/) = %v, %v", fi, err)
	}
}

func TestChown(t *testing.T) {
	if !asRoot {
		t.Skip("chown to another owner needs root")
	}
	s := newSandbox(t)
	mktree(t, s.root,
		node{path: "a", dir: true}, node{path: "a/b", data: "x"},
		node{path: "a/suid", data: "x", mode: fs.ModeSetuid | fs.ModeSetgid | 0o755},
		node{path: "l", link: s.canaryFile}, node{path: "d", link: s.canary},
	)
	if err := Chown(s.root, 1000, 1001); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "a", "a/b", "a/suid", "l", "d"} {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(s.root, p), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != 1000 || st.Gid != 1001 {
			t.Errorf("%s: %d:%d, want 1000:1001", p, st.Uid, st.Gid)
		}
	}
	if fi, _ := os.Stat(filepath.Join(s.root, "a/suid")); fi.Mode() != fs.ModeSetuid|fs.ModeSetgid|0o755 {
		t.Errorf("a/suid: mode %v after chown", fi.Mode())
	}
	var st unix.Stat_t
	if err := unix.Stat(s.canaryFile, &st); err != nil || st.Uid != 0 {
		t.Errorf("the canary's owner changed through a link: %d", st.Uid)
	}
	// A file or a link alone.
	for _, p := range []string{"a/b", "l"} {
		if err := Chown(filepath.Join(s.root, p), 7, 8); err != nil {
			t.Fatal(err)
		}
		if err := unix.Lstat(filepath.Join(s.root, p), &st); err != nil || st.Uid != 7 || st.Gid != 8 {
			t.Errorf("%s alone: %d:%d, %v", p, st.Uid, st.Gid, err)
		}
	}
	s.intact(t)
}
