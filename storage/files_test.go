package storage

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCreateFileOnce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ctr.cid")
	if err := CreateFileOnce(p, []byte("abc"), 0o640); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil || string(b) != "abc" {
		t.Fatalf("read %q, %v; want abc", b, err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Fatalf("mode %v, want 0640", fi.Mode().Perm())
	}
	if err := CreateFileOnce(p, []byte("def"), 0o644); !errors.Is(err, os.ErrExist) {
		t.Fatalf("second create: %v, want an os.ErrExist", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "abc" {
		t.Fatalf("the existing file was changed to %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the directory holds %d entries, want only the file", len(entries))
	}
}
