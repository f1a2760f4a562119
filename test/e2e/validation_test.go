package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expectOneError asserts a refusal: exit code, nothing on stdout, and
// exactly one line on stderr, "Error: ..." mentioning every one of words.
func expectOneError(t *testing.T, r result, code int, words ...string) {
	t.Helper()
	expectError(t, r, code, words...)
	if r.stdout != "" || !strings.HasPrefix(r.stderr, "Error: ") || strings.Count(r.stderr, "\n") != 1 || !strings.HasSuffix(r.stderr, "\n") {
		t.Fatalf("expected one \"Error: \" line on stderr and nothing on stdout:\n%s", r)
	}
}

// abbrevName shortens a subtest's name made of a long value.
func abbrevName(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%s...(%d bytes)", s[:30], len(s))
	}
	return s
}

// expectNoContainers fails unless the store has no container at all.
func (e *env) expectNoContainers() {
	e.t.Helper()
	if out := e.ok("ps", "-a", "-q"); out != "" {
		e.t.Fatalf("a refused value left containers:\n%s", out)
	}
}

// TestRuntimeDirUnsafe: an XDG_RUNTIME_DIR that someone else could write
// to (a world-writable one, or another user's) is refused before pod puts
// anything in it, naming the directory, what is wrong and the fix.
func TestRuntimeDirUnsafe(t *testing.T) {
	t.Run("world-writable", func(t *testing.T) {
		e := withImage(t)
		bad := filepath.Join(e.dir, "xdg-0777")
		if err := os.Mkdir(bad, 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(bad, 0o777); err != nil {
			t.Fatal(err)
		}
		e.chown(bad)
		e.xdg = bad
		for _, args := range [][]string{{"run", "--rm", testImage, "echo", "ok"}, {"ps", "-a"}, {"images"}} {
			expectOneError(t, e.pod(args...), 125, "XDG_RUNTIME_DIR "+bad+" ", "writable by group or others (mode 0777)", "chmod 0700 "+bad)
		}
		if _, err := os.Lstat(filepath.Join(bad, "pod")); err == nil {
			t.Fatalf("pod made its directory in the refused %s", bad)
		}
		// The fix the message names works.
		if err := os.Chmod(bad, 0o700); err != nil {
			t.Fatal(err)
		}
		expect(t, e.pod("run", "--rm", testImage, "echo", "ok"), 0, "ok\n")
		if pid := e.pausePID(); pid == 0 || !alive(pid) {
			t.Fatalf("no live pause process named in %s", e.pauseFile())
		}
	})
	t.Run("another user's", func(t *testing.T) {
		e := withImage(t)
		// Root's own world-writable directory when the tests run as
		// root; else /tmp, which is root's too.
		foreign := "/tmp"
		if !e.user.self {
			foreign = filepath.Join(e.dir, "xdg-root")
			if err := os.Mkdir(foreign, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(foreign, 0o777); err != nil {
				t.Fatal(err)
			}
		}
		e.xdg = foreign
		r := e.pod("run", "--rm", testImage, "echo", "ok")
		expectOneError(t, r, 125, "XDG_RUNTIME_DIR "+foreign+" ", fmt.Sprintf("owned by uid 0, not by you (uid %d)", e.user.uid), "unset it")
		if _, err := os.Lstat(filepath.Join(foreign, "pod")); err == nil && foreign != "/tmp" {
			t.Fatalf("pod made its directory in the refused %s", foreign)
		}
	})
}
