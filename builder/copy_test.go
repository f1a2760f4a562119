package builder

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/patternmatcher"
)

type fakeInfo struct {
	fs.FileInfo
	dir bool
}

func (f fakeInfo) IsDir() bool { return f.dir }

func TestDestFor(t *testing.T) {
	file := source{Rel: "app/main.py", Info: fakeInfo{}}
	dir := source{Rel: "app", Info: fakeInfo{dir: true}}
	for _, tt := range []struct {
		name    string
		dest    string
		destDir bool
		s       source
		parents bool
		want    string
	}{
		{"file to file", "/srv/x.py", false, file, false, "/srv/x.py"},
		{"file into dir", "/srv/", true, file, false, "/srv/main.py"},
		{"dir contents", "/srv", false, dir, false, "/srv"},
		{"dir contents into dir", "/srv/", true, dir, false, "/srv/"},
		{"parents file", "/srv/", true, file, true, "/srv/app/main.py"},
		{"parents dir", "/srv/", true, dir, true, "/srv/app"},
	} {
		if got := destFor(tt.dest, tt.destDir, tt.s, tt.parents); got != tt.want {
			t.Errorf("%s: destFor = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestAbsDest(t *testing.T) {
	for _, tt := range []struct{ dest, workdir, want string }{
		{"/abs", "/w", "/abs"},
		{"rel", "/w", "/w/rel"},
		{"rel/", "/w", "/w/rel/"},
		{".", "/w", "/w/"},
		{"./", "", "/"},
		{"x", "", "/x"},
	} {
		if got := absDest(tt.dest, tt.workdir); got != tt.want {
			t.Errorf("absDest(%q, %q) = %q, want %q", tt.dest, tt.workdir, got, tt.want)
		}
	}
}

func TestCleanSource(t *testing.T) {
	for in, want := range map[string]string{"a/b": "a/b", "./a": "a", "/a/../b": "b", "a/": "a", ".": ""} {
		if got, err := cleanSource(in); err != nil || got != want {
			t.Errorf("cleanSource(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"..", "../x", "a/../../x"} {
		if _, err := cleanSource(bad); !errors.Is(err, ErrContextEscape) {
			t.Errorf("cleanSource(%q) = %v, want ErrContextEscape", bad, err)
		}
	}
}

func TestParseChmod(t *testing.T) {
	if m, ok, err := parseChmod("4755"); err != nil || !ok || m != fs.ModeSetuid|0o755 {
		t.Errorf("parseChmod(4755) = %v, %v, %v", m, ok, err)
	}
	if _, ok, err := parseChmod(""); ok || err != nil {
		t.Error("empty --chmod is set")
	}
	for _, bad := range []string{"9", "u+x", "17777"} {
		if _, _, err := parseChmod(bad); err == nil {
			t.Errorf("parseChmod(%q) accepted", bad)
		}
	}
}

func TestFileDigestIgnoresTimes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("data"), 0o644); err != nil {
		t.Fatal(err)
	}
	digest := func() string {
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		d, err := fileDigest(p, fi)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d1 := digest()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	if digest() != d1 {
		t.Error("mtime changed the digest")
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	d2 := digest()
	if d2 == d1 {
		t.Error("mode change kept the digest")
	}
	if err := os.WriteFile(p, []byte("dat2"), 0o600); err != nil {
		t.Fatal(err)
	}
	if digest() == d2 {
		t.Error("content change kept the digest")
	}
}

func TestResolveSourcesGlob(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.txt", "b.txt", "c.md"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	root := dirRoot(dir, false)
	root.Excluded = func(rel string) (bool, error) { return rel == "b.txt", nil }
	got, err := resolveSources(root, []string{"*.txt"})
	if err != nil || len(got) != 1 || got[0].Rel != "a.txt" {
		t.Fatalf("resolveSources(*.txt) = %+v, %v; want a.txt only", got, err)
	}
	if _, err := resolveSources(root, []string{"*.go"}); !errors.Is(err, ErrSource) {
		t.Errorf("no match: %v", err)
	}
	if _, err := resolveSources(root, []string{"b.txt"}); !errors.Is(err, ErrSource) {
		t.Errorf("an excluded file: %v", err)
	}
}

// TestCopyStepWrite: COPY into a rootfs whose destination is a symlink to
// "/" or to a host directory stays in the rootfs, with --chown, --chmod,
// excludes and hard links; ADD of a local archive extracts it there and
// refuses an entry that climbs out.
func TestCopyStepWrite(t *testing.T) {
	ctx, rootfs, host := t.TempDir(), t.TempDir(), t.TempDir()
	for name, data := range map[string]string{"app/main.py": "print()", "app/skip.log": "log", "app/sub/x": "x"} {
		p := filepath.Join(ctx, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Link(filepath.Join(ctx, "app/main.py"), filepath.Join(ctx, "app/hard.py")); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"toroot": "/", "tohost": host, "up": "../../../.."} {
		if err := os.Symlink(target, filepath.Join(rootfs, link)); err != nil {
			t.Fatal(err)
		}
	}
	// Unprivileged, files can only be given to oneself: keep the sources'.
	asRoot := os.Geteuid() == 0
	root := dirRoot(ctx, !asRoot)
	chown := ""
	if asRoot {
		chown = "1000:1001"
	}
	excludes, err := patternmatcher.New([]string{"*.log"})
	if err != nil {
		t.Fatal(err)
	}
	for _, dest := range []string{"/toroot/", "/tohost/in/", "/up/up/sub2/"} {
		srcs, err := resolveSources(root, []string{"app"})
		if err != nil {
			t.Fatal(err)
		}
		cp := &copyStep{root: root, sources: srcs, dest: dest, destDir: true, excludes: excludes, chown: chown, chmod: 0o750, hasChmod: true}
		if err := cp.write(rootfs); err != nil {
			t.Fatalf("COPY app %s: %v", dest, err)
		}
	}
	if ents, _ := os.ReadDir(host); len(ents) != 0 {
		t.Fatalf("COPY wrote into the host directory a link points to: %v", ents)
	}
	for _, p := range []string{"main.py", "hard.py", "sub/x", filepath.Join(host[1:], "in/main.py"), "sub2/main.py"} {
		fi, err := os.Lstat(filepath.Join(rootfs, p))
		if err != nil {
			t.Errorf("%s: %v", p, err)
			continue
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != 0o750 || asRoot && (st.Uid != 1000 || st.Gid != 1001) {
			t.Errorf("%s: %v %d:%d, want -rwxr-x--- 1000:1001", p, fi.Mode(), st.Uid, st.Gid)
		}
	}
	if _, err := os.Lstat(filepath.Join(rootfs, "skip.log")); err == nil {
		t.Error("an excluded file was copied")
	}
	a, _ := os.Stat(filepath.Join(rootfs, "main.py"))
	b, _ := os.Stat(filepath.Join(rootfs, "hard.py"))
	if !os.SameFile(a, b) {
		t.Error("hard links within a COPY are not kept")
	}

	// ADD of a local archive, plain or compressed.
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	uid, gid := os.Getuid(), os.Getgid()
	for _, h := range []*tar.Header{{Name: "/abs.txt", Size: 1, Mode: 0o600, Uid: uid, Gid: gid}, {Name: "../../escape.txt", Size: 1, Mode: 0o600, Uid: uid, Gid: gid}} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte("x"))
	}
	_ = tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(buf.Bytes())
	_ = zw.Close()
	if err := os.WriteFile(filepath.Join(ctx, "a.tar.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs, err := resolveSources(root, []string{"a.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	cp := &copyStep{root: root, sources: srcs, dest: "/toroot/x/", destDir: true, unpack: true}
	if err := cp.write(rootfs); err == nil || !strings.Contains(err.Error(), "../../escape.txt") {
		t.Errorf("ADD of an archive with ../../escape.txt: %v", err)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "x/abs.txt")); err != nil {
		t.Errorf("an absolute entry is not extracted under the destination: %v", err)
	}
	for _, p := range []string{filepath.Join(filepath.Dir(rootfs), "escape.txt"), filepath.Join(rootfs, "escape.txt")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
}
