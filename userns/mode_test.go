package userns

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRootlessRuntimeDirChecksXDG(t *testing.T) {
	uid := os.Getuid()
	for _, tt := range []struct {
		name string
		mode os.FileMode
		uid  int
		want string // "" for accepted
	}{
		{"private", 0o700, uid, ""},
		{"group-readable", 0o750, uid, ""},
		{"world-writable", 0o777, uid, "writable by group or others (mode 0777)"},
		{"group-writable", 0o770, uid, "writable by group or others (mode 0770)"},
		{"sticky", os.ModeSticky | 0o777, uid, "mode 1777"},
		{"someone else's", 0o700, uid + 1, "not by you"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := filepath.Join(t.TempDir(), "xdg")
			if err := os.Mkdir(x, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(x, tt.mode); err != nil {
				t.Fatal(err)
			}
			t.Setenv("XDG_RUNTIME_DIR", x)
			got, err := rootlessRuntimeDir(tt.uid)
			if tt.want == "" {
				if err != nil || got != filepath.Join(x, "pod") {
					t.Fatalf("rootlessRuntimeDir = %q, %v; want %s/pod", got, err, x)
				}
				if st, err := os.Stat(got); err != nil || st.Mode().Perm() != 0o700 {
					t.Fatalf("%s: %v, %v; want a 0700 directory", got, st, err)
				}
				return
			}
			if !errors.Is(err, ErrUnsafeRuntimeDir) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), x) {
				t.Fatalf("rootlessRuntimeDir = %q, %v; want ErrUnsafeRuntimeDir naming %s and %q", got, err, x, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error has several lines: %q", err)
			}
			if _, err := os.Lstat(filepath.Join(x, "pod")); err == nil {
				t.Fatalf("pod made its directory inside the refused %s", x)
			}
		})
	}
}

func TestRootlessRuntimeDirTightensOwnDir(t *testing.T) {
	x := t.TempDir()
	if err := os.Chmod(x, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(x, "pod"), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(x, "pod"), 0o777); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", x)
	got, err := rootlessRuntimeDir(os.Getuid())
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(got); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("%s: %v, %v; want it made 0700", got, st, err)
	}
}

func TestRootlessRuntimeDirRefusesLinkedPodDir(t *testing.T) {
	x := t.TempDir()
	if err := os.Chmod(x, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(x, "pod")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_RUNTIME_DIR", x)
	if _, err := rootlessRuntimeDir(os.Getuid()); !errors.Is(err, ErrUnsafeRuntimeDir) {
		t.Fatalf("rootlessRuntimeDir with %s/pod a symlink = %v, want ErrUnsafeRuntimeDir", x, err)
	}
}
