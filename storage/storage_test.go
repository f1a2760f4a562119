package storage

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestChooseDriverFallsBackAndRecords(t *testing.T) {
	dir := t.TempDir()
	var warn bytes.Buffer
	opts := Options{GraphRoot: filepath.Join(dir, "g"), RunRoot: filepath.Join(dir, "r"), Warn: &warn}
	var tried []string
	refuse := map[string]bool{"overlay": true, "fuse-overlayfs": true}
	_, name, err := chooseDriver(opts, func(_ Options, n string) (Store, error) {
		tried = append(tried, n)
		if refuse[n] {
			return nil, errors.New(n + " is not supported here")
		}
		return nil, nil
	})
	if err != nil || name != "vfs" {
		t.Fatalf("chooseDriver = %q, %v; want vfs", name, err)
	}
	if strings.Join(tried, ",") != "overlay,fuse-overlayfs,vfs" {
		t.Fatalf("tried %v", tried)
	}
	lines := strings.Split(strings.TrimSpace(warn.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "overlay is not supported here") || !strings.Contains(lines[1], "fuse-overlayfs") {
		t.Fatalf("warnings: %q", warn.String())
	}
	b, err := os.ReadFile(filepath.Join(opts.GraphRoot, driverFile))
	if err != nil || strings.TrimSpace(string(b)) != "vfs" {
		t.Fatalf("recorded driver: %q, %v", b, err)
	}
}

func TestChooseDriverNoneWorks(t *testing.T) {
	dir := t.TempDir()
	opts := Options{GraphRoot: filepath.Join(dir, "g"), RunRoot: filepath.Join(dir, "r")}
	_, _, err := chooseDriver(opts, func(_ Options, n string) (Store, error) { return nil, errors.New("no " + n) })
	if err == nil || !strings.Contains(err.Error(), "no vfs") || !strings.Contains(err.Error(), "no overlay") {
		t.Fatalf("err = %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f.json")
	for _, content := range []string{"one", "two"} {
		if err := WriteFileAtomic(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil || string(b) != content {
			t.Fatalf("read %q, %v; want %q", b, err, content)
		}
	}
	fi, _ := os.Stat(p)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
}
