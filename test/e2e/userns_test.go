package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestUnshare(t *testing.T) {
	e := newEnv(t)
	expect(t, e.pod("unshare", "id", "-u"), 0, "0\n")
	ranges, err := subIDRanges("/etc/subuid", e.user)
	if err != nil {
		t.Fatal(err)
	}
	out := e.ok("unshare", "cat", "/proc/self/uid_map")
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		rows = append(rows, strings.Join(strings.Fields(line), " "))
	}
	// The user's own ID as 0, then each /etc/subuid range in turn.
	want := []string{"0 " + strconv.Itoa(e.user.uid) + " 1"}
	next := 1
	for _, r := range ranges {
		want = append(want, fmt.Sprintf("%d %d %d", next, r[0], r[1]))
		next += r[1]
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("uid_map in the namespace:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
	// Without a command, unshare runs a shell (here reading stdin).
	r := e.podStdin(strings.NewReader("id -u\n"), "unshare")
	expect(t, r, 0, "0\n")
	// The command's exit code passes through.
	expect(t, e.pod("unshare", "sh", "-c", "exit 7"), 7, "")
}

// TestPauseProcessConcurrent starts twenty pod calls at once against a
// fresh runtime dir: they must all succeed and share one pause process.
func TestPauseProcessConcurrent(t *testing.T) {
	e := newEnv(t)
	before := map[int]bool{}
	for _, p := range pauseProcesses(e.user) {
		before[p.pid] = true
	}
	const n = 20
	results := make([]result, n)
	cmds := make([]*exec.Cmd, n)
	outs := make([]*lockedBuffer, 2*n)
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	for i := range cmds {
		cmds[i] = e.command(ctx, "images", "-q")
		outs[2*i], outs[2*i+1] = &lockedBuffer{}, &lockedBuffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[2*i], outs[2*i+1]
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := c.Run()
			results[i] = result{args: c.Args[1:], stdout: outs[2*i].String(), stderr: outs[2*i+1].String()}
			if ee, ok := err.(*exec.ExitError); ok {
				results[i].code = ee.ExitCode()
			} else if err != nil {
				results[i].code = -1
				results[i].stderr += err.Error()
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("call %d failed:\n%s", i, r)
		}
	}
	var created []proc
	for _, p := range pauseProcesses(e.user) {
		if !before[p.pid] {
			created = append(created, p)
		}
	}
	if len(created) != 1 {
		t.Fatalf("expected exactly one new pause process, found %v", created)
	}
	if pid := e.livePausePID(); pid != created[0].pid {
		t.Fatalf("pid file says %d, the pause process is %d", pid, created[0].pid)
	}
}

func TestPauseProcessKilled(t *testing.T) {
	e := withImage(t)
	expect(t, e.pod("run", "--rm", testImage, "true"), 0, "")
	old := e.livePausePID()
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(30*time.Second, func() bool { return !alive(old) }) {
		t.Fatalf("pause process %d survived SIGKILL", old)
	}
	expect(t, e.pod("run", "--rm", testImage, "true"), 0, "")
	pid := e.livePausePID()
	if pid == old {
		t.Fatalf("pid file still names the killed pause process %d", old)
	}
	expect(t, e.pod("run", "--rm", testImage, "echo", "again"), 0, "again\n")
	if again := e.livePausePID(); again != pid {
		t.Fatalf("pause process changed again: %d then %d", pid, again)
	}
	expect(t, e.pod("images", "--format", "{{.Repository}}:{{.Tag}}"), 0, testImage+"\n")
}

// TestNoNewuidmap runs pod with a PATH that has everything but
// newuidmap/newgidmap.
func TestNoNewuidmap(t *testing.T) {
	e := newEnv(t)
	bin := filepath.Join(e.dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"nsenter", "runc", "crun", "slirp4netns", "pasta", "fuse-overlayfs",
		"sh", "true", "id", "cat", "mount", "umount", "getent", "git"} {
		if p, err := exec.LookPath(name); err == nil {
			if err := os.Symlink(p, filepath.Join(bin, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.path = bin
	r := e.pod("images")
	expectError(t, r, 125, "uidmap")
	if pid := e.pausePID(); pid != 0 {
		t.Fatalf("a pause pid file (%d) was written although the namespace cannot be made", pid)
	}
}

// TestNoSubIDRange runs pod as a user with no /etc/subuid range.
func TestNoSubIDRange(t *testing.T) {
	if suite.setupErr != nil {
		t.Fatalf("e2e setup failed: %v", suite.setupErr)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("this test needs root to create the user podnosub (no subuid range); run the e2e tests as root, e.g. sudo make test-e2e")
	}
	u, err := lookupUser("podnosub")
	if err != nil {
		out, err := exec.Command("useradd", "--no-create-home", "--shell", "/usr/sbin/nologin",
			"-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", "podnosub").CombinedOutput()
		if err != nil {
			t.Fatalf("creating user podnosub: %v\n%s", err, out)
		}
		if u, err = lookupUser("podnosub"); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := subIDRange("/etc/subuid", u); err == nil {
		t.Fatalf("user podnosub has a range in /etc/subuid; remove it: usermod --del-subuids ... podnosub")
	}
	e := newEnvFor(t, u)
	r := e.pod("images")
	expectError(t, r, 125, "subuid")
	if !strings.Contains(r.stderr, "usermod --add-subuids") {
		t.Fatalf("expected the fix (usermod --add-subuids) in the message:\n%s", r)
	}
}

// TestRuntimeDirFallback checks /tmp/pod-UID when XDG_RUNTIME_DIR is unset
// or not writable. A pause process already running there (a developer's
// own) is reused and left alone.
func TestRuntimeDirFallback(t *testing.T) {
	for _, c := range []string{"unset", "unwritable"} {
		t.Run(c, func(t *testing.T) {
			e := withImage(t)
			fallback := fallbackPauseFile(e.user)
			if pid := readPIDFile(fallback); pid > 0 && alive(pid) {
				e.foreignPause = pid
			}
			e.fallback = true
			if c == "unset" {
				e.noXDG = true
			} else {
				// Root's 0755 dir when running as root, else the user's
				// own 0555 dir: the user cannot write to it either way.
				ro := filepath.Join(e.dir, "ro")
				mode := os.FileMode(0o755)
				if e.user.self {
					mode = 0o555
				}
				if err := os.Mkdir(ro, mode); err != nil {
					t.Fatal(err)
				}
				e.xdg = ro
			}
			expect(t, e.pod("run", "--rm", testImage, "echo", "ok"), 0, "ok\n")
			pid := e.pausePID()
			if pid == 0 || !alive(pid) {
				t.Fatalf("no live pause process named in %s", fallback)
			}
			if c == "unwritable" {
				if _, err := os.Stat(filepath.Join(e.xdg, "pod")); err == nil {
					t.Fatalf("pod wrote into the unwritable XDG_RUNTIME_DIR")
				}
			}
		})
	}
}
