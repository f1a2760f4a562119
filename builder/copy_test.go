package builder

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
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
