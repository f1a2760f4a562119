package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLoadOverrides: a later file overrides an earlier one key by key,
// each key's file is known, unknown keys are collected, a missing file is
// passed over and a wrong type names the file.
func TestLoadOverrides(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.conf"), filepath.Join(dir, "b.conf")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(a, "[containers]\nenv = [\"A=1\"]\ntz = \"UTC\"\nmystery = true\n[engine]\nruntime = \"crun\"\n")
	write(b, "[containers]\nenv = [\"B=2\"]\n")
	c, err := Load([]string{a, filepath.Join(dir, "missing.conf"), b})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Containers.Env, []string{"B=2"}) || c.Containers.TZ != "UTC" || c.Engine.Runtime != "crun" {
		t.Fatalf("merged: %+v %+v", c.Containers, c.Engine)
	}
	if !slices.Equal(c.Files, []string{a, b}) || c.Where("containers.env") != b+": containers.env" || c.Where("containers.tz") != a+": containers.tz" {
		t.Fatalf("files %v, origins %v", c.Files, c.Origin)
	}
	if !c.Set("engine.runtime") || c.Set("containers.init") {
		t.Fatal("Set is wrong")
	}
	if len(c.Ignored) != 1 || !strings.HasSuffix(c.Ignored[0], "containers.mystery") {
		t.Fatalf("ignored: %v", c.Ignored)
	}
	write(b, "[containers]\nlog_size_max = \"big\"\n")
	if _, err := Load([]string{b}); err == nil || !strings.Contains(err.Error(), b) || !strings.Contains(err.Error(), "log_size_max") {
		t.Fatalf("a wrong type: %v", err)
	}
}

// TestFilesAndStorage: $CONTAINERS_CONF replaces every file; storage.conf's
// roots are taken only from $CONTAINERS_STORAGE_CONF.
func TestFilesAndStorage(t *testing.T) {
	t.Setenv("CONTAINERS_CONF", "/x/only.conf")
	if f := Files("/home/u/.config", true); !slices.Equal(f, []string{"/x/only.conf"}) {
		t.Fatalf("with CONTAINERS_CONF: %v", f)
	}
	t.Setenv("CONTAINERS_CONF", "")
	f := Files("/home/u/.config", true)
	if f[0] != "/usr/share/containers/containers.conf" || !slices.Contains(f, "/home/u/.config/containers/containers.conf") {
		t.Fatalf("files: %v", f)
	}
	if f := Files("", false); slices.ContainsFunc(f, func(s string) bool { return strings.HasPrefix(s, "/home") }) {
		t.Fatalf("root reads a user's file: %v", f)
	}
	dir := t.TempDir()
	home := filepath.Join(dir, "cfg")
	if err := os.MkdirAll(filepath.Join(home, "containers"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "[storage]\ndriver = \"vfs\"\ngraphroot = \"/g\"\nrunroot = \"/r\"\n[storage.options.overlay]\nmount_program = \"/usr/bin/fuse-overlayfs\"\n"
	if err := os.WriteFile(filepath.Join(home, "containers", "storage.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONTAINERS_STORAGE_CONF", "")
	s, err := LoadStorage(home, true)
	if err != nil {
		t.Fatal(err)
	}
	if s.Storage.Driver != "vfs" || s.Storage.GraphRoot != "" || s.Storage.Options.Overlay.MountProgram != "/usr/bin/fuse-overlayfs" || s.Explicit {
		t.Fatalf("Podman's own storage.conf: %+v", s.Storage)
	}
	t.Setenv("CONTAINERS_STORAGE_CONF", filepath.Join(home, "containers", "storage.conf"))
	if s, err = LoadStorage(home, true); err != nil || s.Storage.GraphRoot != "/g" || s.Storage.RunRoot != "/r" || !s.Explicit {
		t.Fatalf("CONTAINERS_STORAGE_CONF: %+v %v", s, err)
	}
}
