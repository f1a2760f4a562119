package volumes

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// mkfs makes a small tree under root from a list of entries.
func mkfs(t *testing.T, root string, entries []fsEntry) {
	t.Helper()
	for _, e := range entries {
		p := filepath.Join(root, e.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case e.link != "":
			err = os.Symlink(e.link, p)
		case e.dir:
			err = os.Mkdir(p, 0o755)
			if err == nil {
				err = os.Chmod(p, e.mode)
			}
		default:
			err = os.WriteFile(p, []byte(e.data), 0o600)
			if err == nil {
				err = os.Chmod(p, e.mode)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

type fsEntry struct {
	path, data, link string
	dir              bool
	mode             os.FileMode
}

func TestCopyUp(t *testing.T) {
	rootfs, data := t.TempDir(), t.TempDir()
	mkfs(t, rootfs, []fsEntry{
		{path: "srv", dir: true, mode: 0o750 | os.ModeSetgid},
		{path: "srv/file", data: "content", mode: 0o640},
		{path: "srv/sub", dir: true, mode: 0o700},
		{path: "srv/sub/x", data: "x", mode: 0o755},
		{path: "srv/passwd", link: "/etc/passwd"},
		{path: "srv/up", link: "../../../../.."},
		{path: "alias", link: "/srv"},
		{path: "evil", link: "/etc"},
	})
	if err := os.Link(filepath.Join(rootfs, "srv/file"), filepath.Join(rootfs, "srv/hard")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(rootfs, "srv/fifo"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := unix.Setxattr(filepath.Join(rootfs, "srv/file"), "user.origin", []byte("image"), 0); err != nil {
		t.Fatal(err)
	}
	mtime := time.Unix(1700000000, 0)
	if err := os.Chtimes(filepath.Join(rootfs, "srv/file"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	if root := os.Geteuid() == 0; root {
		if err := os.Lchown(filepath.Join(rootfs, "srv/file"), 1234, 5678); err != nil {
			t.Fatal(err)
		}
	}
	// Through a symlink inside the image: resolved within rootfs.
	if err := copyUp(rootfs, "/alias", data); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(data, "file")); err != nil || string(b) != "content" {
		t.Fatalf("file: %q, %v", b, err)
	}
	checkMode(t, data, 0o750|os.ModeDir|os.ModeSetgid)
	checkMode(t, filepath.Join(data, "file"), 0o640)
	checkMode(t, filepath.Join(data, "sub"), 0o700|os.ModeDir)
	checkMode(t, filepath.Join(data, "sub/x"), 0o755)
	for link, want := range map[string]string{"passwd": "/etc/passwd", "up": "../../../../.."} {
		if got, err := os.Readlink(filepath.Join(data, link)); err != nil || got != want {
			t.Errorf("%s: a symlink to %q expected, got %q, %v", link, want, got, err)
		}
	}
	var a, b syscall.Stat_t
	_ = syscall.Stat(filepath.Join(data, "file"), &a)
	_ = syscall.Stat(filepath.Join(data, "hard"), &b)
	if a.Ino != b.Ino {
		t.Error("hard link not kept")
	}
	if fi, _ := os.Stat(filepath.Join(data, "file")); !fi.ModTime().Equal(mtime) {
		t.Errorf("mtime %v, want %v", fi.ModTime(), mtime)
	}
	if os.Geteuid() == 0 && (a.Uid != 1234 || a.Gid != 5678) {
		t.Errorf("owner %d:%d, want 1234:5678", a.Uid, a.Gid)
	}
	if fi, err := os.Lstat(filepath.Join(data, "fifo")); err != nil || fi.Mode() != os.ModeNamedPipe|0o640 {
		t.Errorf("fifo: %v, %v", fi, err)
	}
	v := make([]byte, 16)
	n, err := unix.Getxattr(filepath.Join(data, "file"), "user.origin", v)
	if err != nil || string(v[:max(n, 0)]) != "image" {
		t.Errorf("user.origin of file: %q, %v", v[:max(n, 0)], err)
	}

	// A volume with content is left alone.
	if err := os.WriteFile(filepath.Join(rootfs, "srv/new"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := copyUp(rootfs, "/srv", data); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(data, "new")); err == nil {
		t.Error("copied into a volume that was not empty")
	}
}

func TestCopyUpStaysInRootfs(t *testing.T) {
	rootfs := t.TempDir()
	mkfs(t, rootfs, []fsEntry{{path: "evil", link: "/etc"}, {path: "dots", link: "../../../../etc"}})
	for _, dst := range []string{"/evil", "/dots", "/../../../etc", "/missing"} {
		data := t.TempDir()
		if err := copyUp(rootfs, dst, data); err != nil {
			t.Fatalf("%s: %v", dst, err)
		}
		if empty, _ := isEmptyDir(data); !empty {
			t.Errorf("%s: the host's files were copied in", dst)
		}
	}
}

func checkMode(t *testing.T, p string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
	}
}

func TestChownTree(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown to another owner needs root")
	}
	dir := t.TempDir()
	mkfs(t, dir, []fsEntry{{path: "a/b", data: "x", mode: 0o644}, {path: "l", link: "/etc/passwd"}})
	if err := chownTree(dir, 1000, 1001); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "a", "a/b", "l"} {
		var st syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(dir, p), &st); err != nil {
			t.Fatal(err)
		}
		if st.Uid != 1000 || st.Gid != 1001 {
			t.Errorf("%s: %d:%d, want 1000:1001", p, st.Uid, st.Gid)
		}
	}
	var host syscall.Stat_t
	if err := syscall.Stat("/etc/passwd", &host); err != nil || host.Uid != 0 {
		t.Errorf("/etc/passwd owner changed through a symlink: %d", host.Uid)
	}
}
