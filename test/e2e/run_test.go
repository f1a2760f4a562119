package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunEcho(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", testImage, "echo", "hello"), 0, "hello\n")
}

func TestRunExitCodes(t *testing.T) {
	e := withImage(t)
	t.Run("container code passes through", func(t *testing.T) {
		expect(t, e.pod("run", "--rm", testImage, "sh", "-c", "exit 42"), 42, "")
	})
	t.Run("127 command not found", func(t *testing.T) {
		r := e.pod("run", "--rm", testImage, "nonexistent-cmd")
		expectError(t, r, 127, "nonexistent-cmd")
	})
	t.Run("126 not executable", func(t *testing.T) {
		r := e.pod("run", "--rm", testImage, "/etc/passwd")
		expectError(t, r, 126, "/etc/passwd")
	})
	t.Run("125 missing image", func(t *testing.T) {
		r := e.pod("run", "--rm", "localhost/e2e/nosuch:latest", "true")
		expectError(t, r, 125, "nosuch")
	})
	for _, ref := range []string{"UPPER:case", "a::b"} {
		t.Run("125 bad reference "+ref, func(t *testing.T) {
			expectError(t, e.pod("run", "--rm", ref, "true"), 125)
		})
	}
	t.Run("125 unknown flag", func(t *testing.T) {
		r := e.pod("run", "--no-such-flag", testImage, "true")
		expectError(t, r, 125, "no-such-flag")
	})
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Fatalf("--rm runs left containers: %q", out)
	}
}

func TestRunEnv(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "-e", "A=1", "--env", "B=two words", testImage, "sh", "-c", `echo "$A|$B"`), 0, "1|two words\n")
	f := e.writeFile("env.list", "# a comment\nC=3\n\nD=four\n")
	expect(t, e.pod("run", "--rm", "--env-file", f, testImage, "sh", "-c", `echo "$C|$D"`), 0, "3|four\n")
	// -e wins over --env-file, as with Docker.
	expect(t, e.pod("run", "--rm", "--env-file", f, "-e", "C=x", testImage, "sh", "-c", `echo "$C"`), 0, "x\n")
	// PATH is set even though the imported image has no Env.
	expect(t, e.pod("run", "--rm", testImage, "sh", "-c", `test -n "$PATH" && echo ok`), 0, "ok\n")
}

func TestRunWorkdir(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", "-w", "/tmp/newdir", testImage, "pwd"), 0, "/tmp/newdir\n")
	expect(t, e.pod("run", "--rm", "--workdir", "/a/b/c", testImage, "sh", "-c", "pwd; test -d /a/b/c && echo dir"), 0, "/a/b/c\ndir\n")
}

func TestRunUser(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--rm", "-u", "1000:1000", testImage, "id")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "uid=1000(user) gid=1000(user)") {
		t.Fatalf("expected uid=1000 gid=1000:\n%s", r)
	}
	expect(t, e.pod("run", "--rm", "-u", "1000:1000", testImage, "sh", "-c", "id -u; id -g"), 0, "1000\n1000\n")
	expect(t, e.pod("run", "--rm", "-u", "user", testImage, "sh", "-c", `id -u; id -g; echo "$HOME"`), 0, "1000\n1000\n/home/user\n")
	expect(t, e.pod("run", "--rm", "--user", "0", testImage, "id", "-u"), 0, "0\n")
	r = e.pod("run", "--rm", "-u", "nosuchuser", testImage, "true")
	if r.code == 0 {
		t.Fatalf("expected a failure for an unknown user:\n%s", r)
	}
}

func TestRunStdin(t *testing.T) {
	e := withImage(t)
	r := e.podStdin(strings.NewReader("line one\nline two\n"), "run", "--rm", "-i", testImage, "cat")
	expect(t, r, 0, "line one\nline two\n")
	// Without -i the container's stdin is empty.
	r = e.podStdin(strings.NewReader("ignored\n"), "run", "--rm", testImage, "cat")
	expect(t, r, 0, "")
}

func TestRunOptions(t *testing.T) {
	e := withImage(t)
	t.Run("hostname", func(t *testing.T) {
		expect(t, e.pod("run", "--rm", "--hostname", "myhost", testImage, "hostname"), 0, "myhost\n")
	})
	t.Run("entrypoint", func(t *testing.T) {
		expect(t, e.pod("run", "--rm", "--entrypoint", "/bin/echo", testImage, "a", "b"), 0, "a b\n")
	})
	t.Run("read-only", func(t *testing.T) {
		r := e.pod("run", "--rm", "--read-only", testImage, "touch", "/x")
		if r.code != 1 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Fatalf("expected touch to fail on a read-only rootfs:\n%s", r)
		}
	})
	t.Run("network none", func(t *testing.T) {
		out := e.ok("run", "--rm", "--network", "none", testImage, "cat", "/proc/net/dev")
		if ifaces := netDevs(t, out); strings.Join(ifaces, ",") != "lo" {
			t.Fatalf("expected only lo with --network none, got %v:\n%s", ifaces, out)
		}
	})
	t.Run("cap-drop all", func(t *testing.T) {
		out := e.ok("run", "--rm", "--cap-drop", "all", testImage, "grep", "CapEff", "/proc/self/status")
		if strings.Fields(out)[1] != "0000000000000000" {
			t.Fatalf("expected no effective capabilities, got %q", out)
		}
	})
	t.Run("cap-add", func(t *testing.T) {
		out := e.ok("run", "--rm", "--cap-drop", "all", "--cap-add", "CHOWN", testImage, "grep", "CapEff", "/proc/self/status")
		if strings.Fields(out)[1] != "0000000000000001" {
			t.Fatalf("expected only CAP_CHOWN, got %q", out)
		}
	})
	t.Run("privileged", func(t *testing.T) {
		b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
		if err != nil {
			t.Fatal(err)
		}
		last, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		want := fmt.Sprintf("%016x", uint64(1)<<(last+1)-1)
		out := e.ok("run", "--rm", "--privileged", testImage, "grep", "CapEff", "/proc/self/status")
		if strings.Fields(out)[1] != want {
			t.Fatalf("expected every capability (%s) with --privileged, got %q", want, out)
		}
	})
	t.Run("security-opt", func(t *testing.T) {
		status := func(args ...string) map[string]string {
			out := e.ok(append(append([]string{"run", "--rm"}, args...), testImage, "cat", "/proc/self/status")...)
			m := map[string]string{}
			for _, line := range strings.Split(out, "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok {
					m[k] = strings.TrimSpace(v)
				}
			}
			return m
		}
		if m := status(); m["Seccomp"] != "2" || m["NoNewPrivs"] != "0" {
			t.Errorf("default: Seccomp %q NoNewPrivs %q, want 2 (filter) and 0", m["Seccomp"], m["NoNewPrivs"])
		}
		if m := status("--security-opt", "seccomp=unconfined"); m["Seccomp"] != "0" {
			t.Errorf("seccomp=unconfined: Seccomp %q, want 0", m["Seccomp"])
		}
		if m := status("--security-opt", "no-new-privileges"); m["NoNewPrivs"] != "1" {
			t.Errorf("no-new-privileges: NoNewPrivs %q, want 1", m["NoNewPrivs"])
		}
		expectError(t, e.pod("run", "--rm", "--security-opt", "bogus=1", testImage, "true"), 125, "bogus")
	})
	t.Run("network host", func(t *testing.T) {
		host := netDevs(t, readFile(t, "/proc/net/dev"))
		ctr := netDevs(t, e.ok("run", "--rm", "--network", "host", testImage, "cat", "/proc/net/dev"))
		if sorted(ctr) != sorted(host) {
			t.Fatalf("--network host: interfaces %v, the host has %v", ctr, host)
		}
	})
	t.Run("name", func(t *testing.T) {
		e.ok("run", "--name", "named", testImage, "true")
		expect(t, e.pod("ps", "-a", "--format", "{{.Names}}"), 0, "named\n")
		r := e.pod("run", "--name", "named", testImage, "true")
		expectError(t, r, 125, "named")
		e.ok("rm", "named")
	})
}

// TestRunRmCleansUp checks that --rm leaves no container, no mount and no
// process besides the pause process.
func TestRunRmCleansUp(t *testing.T) {
	e := withImage(t)
	layers := e.storageEntries("overlay")
	expect(t, e.pod("run", "--rm", testImage, "sh", "-c", "echo done"), 0, "done\n")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	pause := e.livePausePID()
	var mounts []string
	if !eventually(10*time.Second, func() bool { mounts = e.overlayMounts(pause); return len(mounts) == 0 }) {
		t.Fatalf("overlay mounts left in the pause process's mount namespace:\n%s", strings.Join(mounts, "\n"))
	}
	var left []proc
	if !eventually(10*time.Second, func() bool { left = e.leftovers(pause); return len(left) == 0 }) {
		t.Fatalf("processes left besides the pause process %d: %v", pause, left)
	}
	// The storage holds no container directory or layer either.
	for _, dir := range []string{filepath.Join(e.root, "overlay-containers"), filepath.Join(e.runroot, "overlay-containers")} {
		if ids := dirEntries(dir, true); len(ids) != 0 {
			t.Errorf("container directories left in %s: %v", dir, ids)
		}
	}
	if after := e.storageEntries("overlay"); sorted(after) != sorted(layers) {
		t.Errorf("layers before the run %v, after %v", layers, after)
	}
}

// netDevs lists the interfaces in a /proc/net/dev text.
func netDevs(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if name, _, ok := strings.Cut(line, ":"); ok {
			out = append(out, strings.TrimSpace(name))
		}
	}
	if len(out) == 0 {
		t.Fatalf("no interfaces in:\n%s", text)
	}
	return out
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// storageEntries lists the directories in a directory of the graph root.
func (e *env) storageEntries(name string) []string {
	return dirEntries(filepath.Join(e.root, name), true)
}

// dirEntries lists the names in dir (only directories when dirsOnly); a
// missing dir is empty.
func dirEntries(dir string, dirsOnly bool) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, ent := range ents {
		if !dirsOnly || ent.IsDir() {
			out = append(out, ent.Name())
		}
	}
	return out
}

func TestRunTTYInteractive(t *testing.T) {
	e := withImage(t)
	s := e.startPTY("run", "-it", "--rm", testImage, "sh")
	if !s.waitFor(60*time.Second, "#") {
		t.Fatalf("no shell prompt; output so far: %q", s.output())
	}
	s.write("tty\r")
	if !s.waitForRegexp(60*time.Second, regexp.MustCompile(`/dev/pts/\d+`)) {
		t.Fatalf("tty printed no /dev/pts/N; output so far: %q", s.output())
	}
	s.write("\x04")
	code := s.wait(60 * time.Second)
	if code != 0 {
		t.Fatalf("expected exit 0 after Ctrl-D, got %d; output: %q", code, s.output())
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
}

func TestRunTTYWithoutStdin(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "-t", "--rm", testImage, "tty")
	if r.code != 0 || !regexp.MustCompile(`^/dev/pts/\d+\r?\n$`).MatchString(r.stdout) {
		t.Fatalf("expected /dev/pts/N from tty with -t:\n%s", r)
	}
	// Without -t there is no terminal: busybox tty says so and exits 1.
	r = e.pod("run", "--rm", testImage, "tty")
	if r.code != 1 || !strings.Contains(r.stdout, "not a tty") {
		t.Fatalf("expected \"not a tty\" and exit 1 without -t:\n%s", r)
	}
}

func TestRunSignals(t *testing.T) {
	for _, sig := range []struct {
		sig  syscall.Signal
		name string
	}{{syscall.SIGTERM, "TERM"}, {syscall.SIGINT, "INT"}} {
		t.Run(sig.name, func(t *testing.T) {
			e := withImage(t)
			script := `trap "echo got ` + sig.name + `; exit 3" ` + sig.name + `; echo ready; while :; do sleep 0.1; done`
			p := e.startPiped("run", "--rm", testImage, "sh", "-c", script)
			if !p.waitFor(60*time.Second, "ready\n") {
				t.Fatalf("container never printed ready; stdout %q stderr %q", p.stdout.String(), p.stderr.String())
			}
			if err := p.cmd.Process.Signal(sig.sig); err != nil {
				t.Fatal(err)
			}
			code := p.wait(60 * time.Second)
			if code != 3 || p.stdout.String() != "ready\ngot "+sig.name+"\n" {
				t.Fatalf("expected exit 3 and \"got %s\"; exit %d stdout %q stderr %q", sig.name, code, p.stdout.String(), p.stderr.String())
			}
			expect(t, e.pod("ps", "-a", "-q"), 0, "")
		})
	}
}

// TestRunOwnership checks how container uids land on the host: container
// root is the user, container uid N is subuid start + N - 1.
func TestRunOwnership(t *testing.T) {
	e := withImage(t)
	subuid, _, err := subIDRange("/etc/subuid", e.user)
	if err != nil {
		t.Fatal(err)
	}
	subgid, _, err := subIDRange("/etc/subgid", e.user)
	if err != nil {
		t.Fatal(err)
	}
	e.ok("run", "--name", "own", testImage, "sh", "-c", "touch /f0 /f1 && chown 1000:1000 /f1")
	e.ok("run", "--name", "own2", "-u", "1000:1000", testImage, "touch", "/tmp/f2")
	for _, c := range []struct {
		file     string
		uid, gid int
	}{
		{"f0", e.user.uid, e.user.gid},
		{"f1", subuid + 999, subgid + 999},
		{"f2", subuid + 999, subgid + 999},
	} {
		path := e.findUpper(c.file)
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			t.Fatal(err)
		}
		if int(st.Uid) != c.uid || int(st.Gid) != c.gid {
			t.Errorf("%s: host owner %d:%d, want %d:%d", path, st.Uid, st.Gid, c.uid, c.gid)
		}
	}
	e.ok("rm", "own", "own2")
}

// findUpper finds a file in a container's upper (diff) directory under
// the test's --root.
func (e *env) findUpper(name string) string {
	e.t.Helper()
	var found []string
	_ = filepath.Walk(e.root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		if info.IsDir() && info.Name() == "merged" {
			return filepath.SkipDir
		}
		if info.Name() == name && !info.IsDir() {
			dir := filepath.Dir(p)
			if filepath.Base(dir) == "tmp" {
				dir = filepath.Dir(dir)
			}
			if filepath.Base(dir) == "diff" {
				found = append(found, p)
			}
		}
		return nil
	})
	if len(found) != 1 {
		e.t.Fatalf("expected one %s in an upper dir under %s, found %v", name, e.root, found)
	}
	return found[0]
}
