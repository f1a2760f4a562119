package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// publishFixture writes the finished temporary file src with content.
func publishFixture(t *testing.T, content string) (src, dir string) {
	t.Helper()
	src = filepath.Join(t.TempDir(), "archive.tar")
	if err := os.WriteFile(src, []byte(content), 0o640); err != nil {
		t.Fatal(err)
	}
	return src, t.TempDir()
}

// entries lists dir's names.
func entries(t *testing.T, dir string) string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range des {
		names = append(names, d.Name())
	}
	return strings.Join(names, ",")
}

func TestPublishFileRenames(t *testing.T) {
	src, dir := publishFixture(t, "new")
	dst := filepath.Join(dir, "out.tar")
	if err := os.WriteFile(dst, []byte("old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := PublishFile(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "new" {
		t.Fatalf("dst holds %q", b)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Fatalf("src is still there: %v", err)
	}
	if got := entries(t, dir); got != "out.tar" {
		t.Fatalf("beside dst: %s", got)
	}
}

// The copy across filesystems, to a new and to an existing dst: whole
// content, src's mode, and nothing left beside dst.
func TestPublishCopyLinksACompleteFile(t *testing.T) {
	for _, existing := range []bool{false, true} {
		src, dir := publishFixture(t, strings.Repeat("x", 1<<20))
		dst := filepath.Join(dir, "out.tar")
		if existing {
			if err := os.WriteFile(dst, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := publishCopy(src, dst); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(dst)
		if err != nil || fi.Size() != 1<<20 || fi.Mode().Perm() != 0o640 {
			t.Fatalf("existing=%v: dst %v, %v; want 1 MiB, mode 0640", existing, fi, err)
		}
		if got := entries(t, dir); got != "out.tar" {
			t.Fatalf("existing=%v: beside dst: %s", existing, got)
		}
	}
}

func TestPublishFileWritesIntoAFIFO(t *testing.T) {
	src, dir := publishFixture(t, "through a pipe")
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() {
		b, _ := os.ReadFile(fifo)
		got <- string(b)
	}()
	if err := PublishFile(src, fifo); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "through a pipe" {
		t.Fatalf("read %q", s)
	}
	if err := PublishFile(src, dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory as dst: %v", err)
	}
}
