package container

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveIn(t *testing.T) {
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
		want   string // inside root
	}{
		{"/etc/passwd", false, "/etc/passwd"},
		{"etc/passwd", false, "/etc/passwd"},
		{"/../../etc/passwd", false, "/etc/passwd"},
		{"/data/../../../etc", true, "/etc"},
		{"/tmp/pw", false, "/tmp/pw"},
		{"/tmp/pw", true, "/etc/passwd"},
		{"/tmp/up/passwd", false, "/etc/passwd"},
		{"/tmp/out/x", false, filepath.Join(outside, "x")},
		{"/tmp/out", true, outside},
		{"/tmp/rel/sub/", false, "/data/sub"},
		{"/data/sub/lp", true, "/etc/passwd"},
		{"/", false, "/"},
	}
	for _, tt := range tests {
		if got, err := resolveIn(root, tt.path, tt.follow); err != nil || got != tt.want {
			t.Errorf("resolveIn(%q, %v) = %q, %v; want %q", tt.path, tt.follow, got, err, tt.want)
		}
	}
}

func TestPlacement(t *testing.T) {
	for _, tt := range []struct {
		name                                string
		dst                                 string
		exists, isDir, asserted, srcIsDir   bool
		srcName, wantDir, wantName, wantErr string
	}{
		{"into a directory", "/out", true, true, false, false, "f", "/out", "f", ""},
		{"content into a directory", "/out", true, true, true, true, ".", "/out", ".", ""},
		{"over a file", "/out/f", true, false, false, false, "g", "/out", "f", ""},
		{"a directory over a file", "/out/f", true, false, false, true, "d", "", "", "cannot copy a directory"},
		{"a file asserted a directory", "/out/f", true, false, true, false, "g", "", "", "not a directory"},
		{"a new name", "/out/new", false, false, false, false, "f", "/out", "new", ""},
		{"a directory to a new name", "/out/new", false, false, true, true, "d", "/out", "new", ""},
		{"content to a new name", "/out/new", false, false, false, true, ".", "/out", "new", ""},
		{"a file to a missing directory", "/out/new", false, false, true, false, "f", "", "", "does not exist"},
	} {
		dir, name, err := placement(tt.dst, tt.exists, tt.isDir, tt.asserted, tt.srcIsDir, tt.srcName)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: %v, want an error with %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || dir != tt.wantDir || name != tt.wantName {
			t.Errorf("%s: %q, %q, %v; want %q, %q", tt.name, dir, name, err, tt.wantDir, tt.wantName)
		}
	}
}

func TestSourceName(t *testing.T) {
	for p, want := range map[string]string{"/data": "data", "/data/": "data", "/data/.": ".", ".": ".", "/": ".", "rel/x": "x", "/tmp/pw": "pw"} {
		if got := sourceName(p); got != want {
			t.Errorf("sourceName(%q) = %q, want %q", p, got, want)
		}
	}
}
