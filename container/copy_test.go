package container

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveInRoot(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for _, d := range []string{"etc", "data/sub", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"tmp/pw":      "/etc/passwd",           // absolute: means the container's
		"tmp/up":      "../../../../../../etc", // climbs above the root
		"tmp/out":     outside,                 // a host directory
		"tmp/rel":     "../data",
		"data/sub/lp": "../../etc/passwd",
	}
	for l, target := range links {
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path   string
		follow bool
		want   string // relative to root
	}{
		{"/etc/passwd", false, "etc/passwd"},
		{"etc/passwd", false, "etc/passwd"},
		{"/../../etc/passwd", false, "etc/passwd"},
		{"/data/../../../etc", true, "etc"},
		{"/tmp/pw", false, "tmp/pw"},
		{"/tmp/pw", true, "etc/passwd"},
		{"/tmp/up/passwd", false, "etc/passwd"},
		{"/tmp/out/x", false, filepath.Join(outside[1:], "x")},
		{"/tmp/out", true, outside[1:]},
		{"/tmp/rel/sub/", false, "data/sub/"},
		{"/tmp/rel/.", false, "data/."},
		{"/data/sub/lp", true, "etc/passwd"},
		{"/", false, "/"},
	}
	for _, tt := range tests {
		got, err := ResolveInRoot(root, tt.path, tt.follow)
		if err != nil {
			t.Errorf("ResolveInRoot(%q, %v): %v", tt.path, tt.follow, err)
			continue
		}
		want := filepath.Join(root, tt.want)
		if tt.want[len(tt.want)-1] == '/' {
			want += "/"
		}
		if filepath.Base(tt.want) == "." {
			want = filepath.Join(root, filepath.Dir(tt.want)) + "/."
		}
		if got != want {
			t.Errorf("ResolveInRoot(%q, %v) = %q, want %q", tt.path, tt.follow, got, want)
		}
		rel, err := filepath.Rel(root, got)
		if err != nil || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
			t.Errorf("ResolveInRoot(%q) = %q escapes the root", tt.path, got)
		}
	}
}
