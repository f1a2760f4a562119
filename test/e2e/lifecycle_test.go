package e2e

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// inspectField runs pod inspect --format for one container.
func (e *env) inspectField(name, format string) string {
	e.t.Helper()
	return strings.TrimSpace(e.ok("inspect", "--format", format, name))
}

// statusOf is the container's STATUS column in ps -a.
func (e *env) statusOf(name string) string {
	e.t.Helper()
	for _, l := range lines(e.ok("ps", "-a", "--format", "{{.Names}}\t{{.Status}}")) {
		if n, status, _ := strings.Cut(l, "\t"); n == name {
			return status
		}
	}
	return ""
}

// waitStatus polls ps until the container's status starts with prefix.
func (e *env) waitStatus(name, prefix string, timeout time.Duration) string {
	e.t.Helper()
	var got string
	if !eventually(timeout, func() bool { got = e.statusOf(name); return strings.HasPrefix(got, prefix) }) {
		e.t.Fatalf("container %s: status %q, want %q...", name, got, prefix)
	}
	return got
}

// monitorPID reads the PID file the monitor of container id keeps.
func (e *env) monitorPID(id string) int {
	return readPIDFile(filepath.Join(e.xdg, "pod", "monitors", id+".pid"))
}

// expectClean fails when processes besides the pause process, or overlay
// mounts, are left.
func (e *env) expectClean() {
	e.t.Helper()
	pause := e.livePausePID()
	var left []proc
	if !eventually(10*time.Second, func() bool { left = e.leftovers(pause); return len(left) == 0 }) {
		e.t.Fatalf("processes left besides the pause process %d: %v", pause, left)
	}
	var mounts []string
	if !eventually(10*time.Second, func() bool { mounts = e.overlayMounts(pause); return len(mounts) == 0 }) {
		e.t.Fatalf("overlay mounts left:\n%s", strings.Join(mounts, "\n"))
	}
}

const loopScript = `echo ready; while :; do sleep 0.1; done`

func TestLifecycleDetached(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "web", testImage, "sh", "-c", `trap "echo term; exit 7" TERM; `+loopScript))
	if !fullID.MatchString(id) {
		t.Fatalf("run -d printed %q, want the full ID", id)
	}
	e.waitStatus("web", "Up ", 30*time.Second)
	if m := e.monitorPID(id); m <= 0 || !alive(m) {
		t.Fatalf("no live monitor for %s (pid file says %d)", id, m)
	}
	expectError(t, e.pod("rm", "web"), 2, "web", "running")
	expect(t, e.pod("stop", "web"), 0, "web\n")
	if got := e.statusOf("web"); !strings.HasPrefix(got, "Exited (7) ") {
		t.Fatalf("after stop: %q, want Exited (7)", got)
	}
	if out := e.ok("logs", "web"); out != "ready\nterm\n" {
		t.Fatalf("logs after stop: %q", out)
	}
	expect(t, e.pod("start", "web"), 0, "web\n")
	e.waitStatus("web", "Up ", 30*time.Second)
	expect(t, e.pod("restart", "-t", "1", "web"), 0, "web\n")
	e.waitStatus("web", "Up ", 30*time.Second)
	expect(t, e.pod("kill", "-s", "TERM", "web"), 0, "web\n")
	expect(t, e.pod("wait", "web"), 0, "7\n")
	expectError(t, e.pod("kill", "web"), 125, "not running")
	expect(t, e.pod("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}", "web"), 0, "exited 7 false\n")
	expect(t, e.pod("start", "web"), 0, "web\n")
	e.waitStatus("web", "Up ", 30*time.Second)
	expect(t, e.pod("rm", "-f", "web"), 0, "web\n")
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}

func TestLifecycleCreateStartAttached(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("create", "--name", "c1", testImage, "sh", "-c", "echo out; echo err >&2; exit 3"))
	if !fullID.MatchString(id) {
		t.Fatalf("create printed %q", id)
	}
	if got := e.statusOf("c1"); got != "Created" {
		t.Fatalf("after create: %q", got)
	}
	r := e.pod("start", "-a", "c1")
	if r.code != 3 || r.stdout != "out\n" || r.stderr != "err\n" {
		t.Fatalf("start -a: want exit 3, out/err:\n%s", r)
	}
	if got := e.statusOf("c1"); !strings.HasPrefix(got, "Exited (3) ") {
		t.Fatalf("after start -a: %q", got)
	}
	// An attached run is logged too.
	expect(t, e.pod("logs", "c1"), 0, "out\n")
	r = e.podStdin(strings.NewReader("piped\n"), "start", "-a", "-i", "c1")
	if r.code != 3 {
		t.Fatalf("second start -a -i:\n%s", r)
	}
	expectError(t, e.pod("start", "nosuch"), 125, "nosuch")
	e.ok("rm", "c1")
	e.expectClean()
}

func TestLifecycleStopIgnoresTerm(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "stubborn", testImage, "sh", "-c", `trap "" TERM; `+loopScript)
	e.waitStatus("stubborn", "Up ", 30*time.Second)
	begin := time.Now()
	expect(t, e.pod("stop", "-t", "1", "stubborn"), 0, "stubborn\n")
	if d := time.Since(begin); d < time.Second || d > 15*time.Second {
		t.Fatalf("stop -t 1 of a container ignoring SIGTERM took %v, want 1s and a bit", d)
	}
	if got := e.statusOf("stubborn"); !strings.HasPrefix(got, "Exited (137) ") {
		t.Fatalf("after stop: %q, want Exited (137)", got)
	}
	// --stop-timeout at create is the default of stop.
	e.ok("run", "-d", "--name", "quick", "--stop-timeout", "0", testImage, "sh", "-c", `trap "" TERM; `+loopScript)
	e.waitStatus("quick", "Up ", 30*time.Second)
	begin = time.Now()
	e.ok("stop", "quick")
	if d := time.Since(begin); d > 5*time.Second {
		t.Fatalf("stop with --stop-timeout 0 took %v", d)
	}
	e.ok("rm", "stubborn", "quick")
	e.expectClean()
}

func TestLifecycleRestartPolicies(t *testing.T) {
	e := withImage(t)
	t.Run("on-failure:2", func(t *testing.T) {
		e.ok("run", "-d", "--name", "fails", "--restart", "on-failure:2", testImage, "sh", "-c", "exit 3")
		var got string
		if !eventually(30*time.Second, func() bool {
			got = e.inspectField("fails", "{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}")
			return got == "2 exited 3" && e.statusOf("fails") != "" && !strings.HasPrefix(e.statusOf("fails"), "Restarting")
		}) {
			t.Fatalf("on-failure:2: %q, want RestartCount 2, exited 3", got)
		}
		time.Sleep(time.Second)
		if got := e.inspectField("fails", "{{.RestartCount}}"); got != "2" {
			t.Fatalf("restarted past on-failure:2: RestartCount %s", got)
		}
	})
	t.Run("on-failure exit 0", func(t *testing.T) {
		e.ok("run", "-d", "--name", "succeeds", "--restart", "on-failure", testImage, "true")
		expect(t, e.pod("wait", "succeeds"), 0, "0\n")
		if got := e.inspectField("succeeds", "{{.RestartCount}}"); got != "0" {
			t.Fatalf("on-failure restarted a container that exited 0: %s", got)
		}
	})
	t.Run("always", func(t *testing.T) {
		e.ok("run", "-d", "--name", "always", "--restart", "always", testImage, "sh", "-c", loopScript)
		e.waitStatus("always", "Up ", 30*time.Second)
		pid, _ := strconv.Atoi(e.inspectField("always", "{{.State.Pid}}"))
		if pid <= 0 {
			t.Fatal("no pid")
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		var again string
		if !eventually(30*time.Second, func() bool {
			again = e.inspectField("always", "{{.State.Running}} {{.RestartCount}} {{.State.Pid}}")
			return strings.HasPrefix(again, "true 1 ") && again != fmt.Sprintf("true 1 %d", pid)
		}) {
			t.Fatalf("--restart always: not running again after its process was killed: %q", again)
		}
		e.ok("stop", "-t", "1", "always")
		time.Sleep(time.Second)
		if got := e.statusOf("always"); !strings.HasPrefix(got, "Exited ") {
			t.Fatalf("--restart always restarted after pod stop: %q", got)
		}
		// pod kill counts as a stop by the user too.
		e.ok("start", "always")
		e.waitStatus("always", "Up ", 30*time.Second)
		e.ok("kill", "always")
		expect(t, e.pod("wait", "always"), 0, "137\n")
		time.Sleep(time.Second)
		if got := e.statusOf("always"); !strings.HasPrefix(got, "Exited (137)") {
			t.Fatalf("--restart always restarted after pod kill: %q", got)
		}
	})
	t.Run("start --all --filter", func(t *testing.T) {
		e.ok("run", "-d", "--name", "us", "--restart", "unless-stopped", testImage, "sh", "-c", loopScript)
		e.waitStatus("us", "Up ", 30*time.Second)
		e.ok("stop", "-t", "0", "us")
		out := e.ok("start", "--all", "--filter", "restart-policy=always")
		if out != "always\n" {
			t.Fatalf("start --all --filter restart-policy=always: %q", out)
		}
		if out := e.ok("start", "--all", "--filter", "restart-policy=unless-stopped"); out != "" {
			t.Fatalf("start --all --filter restart-policy=unless-stopped started a stopped container: %q", out)
		}
	})
	e.ok("rm", "-f", "--all")
	e.expectClean()
}

func TestLifecycleMonitorKilled(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "orphan", testImage, "sh", "-c", loopScript))
	e.waitStatus("orphan", "Up ", 30*time.Second)
	mon := e.monitorPID(id)
	if mon <= 0 {
		t.Fatal("no monitor pid file")
	}
	if err := syscall.Kill(mon, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool { return !alive(mon) }) {
		t.Fatal("monitor survived SIGKILL")
	}
	if got := e.statusOf("orphan"); !strings.HasPrefix(got, "Exited (137) ") {
		t.Fatalf("after the monitor was killed: %q, want Exited (137)", got)
	}
	expect(t, e.pod("rm", "-f", "orphan"), 0, "orphan\n")
	e.expectClean()
}

func TestLifecycleConcurrent(t *testing.T) {
	e := withImage(t)
	const n = 20
	var wg sync.WaitGroup
	results := make([]result, n+2)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results[i] = e.pod("run", "-d", "--name", fmt.Sprintf("c%02d", i), testImage, "sh", "-c", loopScript)
		}(i)
	}
	wg.Add(2)
	go func() { defer wg.Done(); results[n] = e.pod("ps", "-a") }()
	go func() {
		defer wg.Done()
		// rm -f c00 as soon as it runs, while the others still start.
		eventually(60*time.Second, func() bool {
			return strings.HasPrefix(e.pod("ps", "-a", "--format", "{{.Names}} {{.State}}", "--filter", "name=c00").stdout, "c00 running")
		})
		results[n+1] = e.pod("rm", "-f", "c00")
	}()
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("concurrent call %d failed:\n%s", i, r)
		}
	}
	names := lines(e.ok("ps", "-a", "--format", "{{.Names}} {{.State}}"))
	if len(names) < n-1 || len(names) > n {
		t.Fatalf("ps -a after twenty runs and one rm: %v", names)
	}
	for _, l := range names {
		if !strings.HasSuffix(l, " running") {
			t.Fatalf("not running: %q in %v", l, names)
		}
	}
	r := e.pod("rm", "-f", "--all")
	if r.code != 0 || len(lines(r.stdout)) != len(names) {
		t.Fatalf("rm -f --all:\n%s", r)
	}
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	e.expectClean()
}

func TestLifecyclePauseRecovery(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "survivor", testImage, "sh", "-c", loopScript))
	e.waitStatus("survivor", "Up ", 30*time.Second)
	old := e.livePausePID()
	ns := userNSInode(old)
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool { return !alive(old) }) {
		t.Fatal("pause survived SIGKILL")
	}
	if got := e.statusOf("survivor"); !strings.HasPrefix(got, "Up ") {
		t.Fatalf("after the pause process died: %q, want Up", got)
	}
	pause := e.livePausePID()
	if pause == old || userNSInode(pause) != ns || userNSInode(e.monitorPID(id)) != ns {
		t.Fatalf("new pause %d (userns %d), old %d (userns %d): want a new process in the same namespace", pause, userNSInode(pause), old, ns)
	}
	expect(t, e.pod("stop", "-t", "1", "survivor"), 0, "survivor\n")
	if got := e.statusOf("survivor"); !strings.HasPrefix(got, "Exited ") {
		t.Fatalf("after stop: %q", got)
	}
	e.ok("rm", "survivor")
	e.expectClean()
}

func TestLifecycleAttachDetachKeys(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "-it", "--name", "shell", testImage, "sh")
	e.waitStatus("shell", "Up ", 30*time.Second)
	s := e.startPTY("attach", "shell")
	s.write("echo hel''lo\r")
	if !s.waitFor(30*time.Second, "hello") {
		t.Fatalf("no output through attach: %q", s.output())
	}
	s.write("\x10\x11")
	if code := s.wait(30 * time.Second); code != 0 {
		t.Fatalf("attach after the detach keys exited %d; output %q", code, s.output())
	}
	if got := e.statusOf("shell"); !strings.HasPrefix(got, "Up ") {
		t.Fatalf("after detaching: %q, want Up", got)
	}
	// Custom keys, then the shell's own exit ends the attach with its code.
	s = e.startPTY("attach", "--detach-keys", "ctrl-x", "shell")
	s.write("exit 5\r")
	if code := s.wait(30 * time.Second); code != 5 {
		t.Fatalf("attach when the container exits 5: exit %d; output %q", code, s.output())
	}
	expectError(t, e.pod("attach", "shell"), 125, "shell")
	e.ok("rm", "shell")
	e.expectClean()
}

func TestLifecycleWaitConditions(t *testing.T) {
	e := withImage(t)
	e.ok("create", "--name", "w", testImage, "sh", "-c", "sleep 0.5; exit 4")
	done := make(chan result, 1)
	go func() { done <- e.pod("wait", "--condition", "next-exit", "w") }()
	time.Sleep(300 * time.Millisecond)
	e.ok("start", "w")
	select {
	case r := <-done:
		expect(t, r, 0, "4\n")
	case <-time.After(60 * time.Second):
		t.Fatal("wait --condition next-exit did not return")
	}
	go func() { done <- e.pod("wait", "--condition", "removed", "w") }()
	time.Sleep(300 * time.Millisecond)
	e.ok("rm", "w")
	select {
	case r := <-done:
		expect(t, r, 0, "4\n")
	case <-time.After(60 * time.Second):
		t.Fatal("wait --condition removed did not return")
	}
	expectError(t, e.pod("wait", "--condition", "bogus", "w"), 125, "condition")
}

// TestLifecycleAttachedMonitor covers attached runs that go through a
// monitor process (a restart policy makes the container outlive the CLI):
// output, exit code, signal forwarding, a terminal, and the restarts that
// go on after the CLI returned.
func TestLifecycleAttachedMonitor(t *testing.T) {
	e := withImage(t)
	t.Run("exit code and restarts", func(t *testing.T) {
		r := e.pod("run", "--name", "ar", "--restart", "on-failure:1", testImage, "sh", "-c", "echo run; echo oops >&2; exit 3")
		if r.code != 3 || r.stdout != "run\n" || r.stderr != "oops\n" {
			t.Fatalf("attached run with a restart policy:\n%s", r)
		}
		var got string
		if !eventually(30*time.Second, func() bool {
			got = e.inspectField("ar", "{{.RestartCount}} {{.State.Status}}")
			return got == "1 exited" && !strings.HasPrefix(e.statusOf("ar"), "Restarting")
		}) {
			t.Fatalf("after the CLI returned: %q, want one restart", got)
		}
		expect(t, e.pod("wait", "ar"), 0, "3\n")
		expect(t, e.pod("logs", "ar"), 0, "run\nrun\n")
	})
	t.Run("signals", func(t *testing.T) {
		p := e.startPiped("run", "--name", "sig", "--restart", "on-failure:1", testImage, "sh", "-c", `trap "echo got; exit 0" TERM; `+loopScript)
		if !p.waitFor(60*time.Second, "ready\n") {
			t.Fatalf("no ready: %q %q", p.stdout.String(), p.stderr.String())
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		if code := p.wait(60 * time.Second); code != 0 || p.stdout.String() != "ready\ngot\n" {
			t.Fatalf("SIGTERM through the monitor: exit %d, stdout %q", code, p.stdout.String())
		}
	})
	t.Run("terminal", func(t *testing.T) {
		s := e.startPTY("run", "-it", "--name", "term", "--restart", "on-failure:1", testImage, "sh")
		if !s.waitFor(60*time.Second, "#") {
			t.Fatalf("no prompt: %q", s.output())
		}
		s.write("tty; exit 0\r")
		if code := s.wait(60 * time.Second); code != 0 || !strings.Contains(s.output(), "/dev/pts/") {
			t.Fatalf("-it through the monitor: exit %d, output %q", code, s.output())
		}
	})
	e.ok("rm", "-f", "--all")
	e.expectClean()
}

// TestLifecycleForegroundCLIKilled: a foreground run attaches to the
// container's monitor, so, as with Docker, the container outlives a killed
// CLI: it keeps running and logging, and stops and goes as usual.
func TestLifecycleForegroundCLIKilled(t *testing.T) {
	e := withImage(t)
	p := e.startPiped("run", "--name", "fg", testImage, "sh", "-c", loopScript)
	if !p.waitFor(60*time.Second, "ready\n") {
		t.Fatalf("no ready: %q %q", p.stdout.String(), p.stderr.String())
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.wait(30 * time.Second)
	if got := e.statusOf("fg"); !strings.HasPrefix(got, "Up ") {
		t.Fatalf("after its CLI was killed: %q, want Up", got)
	}
	expect(t, e.pod("logs", "fg"), 0, "ready\n")
	e.ok("stop", "-t", "1", "fg")
	if got := e.statusOf("fg"); !strings.HasPrefix(got, "Exited (") {
		t.Fatalf("after stop: %q, want Exited", got)
	}
	expect(t, e.pod("rm", "fg"), 0, "fg\n")
	e.expectClean()
}

// TestRunDetachKeys: Ctrl-P Ctrl-Q leaves pod run -it with 0 while the
// container runs on, attachable, its shell not sent an end of input; a
// --rm container detached from is removed by its monitor at the exit.
func TestRunDetachKeys(t *testing.T) {
	e := withImage(t)
	s := e.startPTY("run", "-it", "--name", "dk", testImage, "sh")
	if !s.waitFor(60*time.Second, "#") {
		t.Fatalf("no shell prompt; output so far: %q", s.output())
	}
	// A lone Ctrl-P is passed on once the next key shows it is no detach.
	s.write("echo one\x10 tw''o\r")
	if !s.waitFor(30*time.Second, "one two") {
		t.Fatalf("no echo before detaching: %q", s.output())
	}
	s.write("\x10\x11")
	if code := s.wait(30 * time.Second); code != 0 {
		t.Fatalf("run -it after the detach keys exited %d; output %q", code, s.output())
	}
	if got := e.statusOf("dk"); !strings.HasPrefix(got, "Up ") {
		t.Fatalf("after detaching: %q, want Up (the shell must not get an end of input)", got)
	}
	a := e.startPTY("attach", "dk")
	a.write("echo back''again\r")
	if !a.waitFor(30*time.Second, "backagain") {
		t.Fatalf("no output when attached again: %q", a.output())
	}
	a.write("exit 7\r")
	if code := a.wait(30 * time.Second); code != 7 {
		t.Fatalf("attach when the shell exits 7: exit %d; output %q", code, a.output())
	}

	// start -ai with keys of its own; "" never detaches.
	st := e.startPTY("start", "-ai", "--detach-keys", "ctrl-x,x", "dk")
	if !st.waitFor(60*time.Second, "#") {
		t.Fatalf("no prompt from start -ai: %q", st.output())
	}
	st.write("\x18x")
	if code := st.wait(30 * time.Second); code != 0 {
		t.Fatalf("start -ai after its detach keys exited %d; output %q", code, st.output())
	}
	e.waitStatus("dk", "Up ", 10*time.Second)
	e.ok("rm", "-f", "-t", "0", "dk")

	r := e.startPTY("run", "-it", "--rm", "--detach-keys", "", "--name", "nodk", testImage, "sh")
	if !r.waitFor(60*time.Second, "#") {
		t.Fatalf("no prompt: %q", r.output())
	}
	r.write("\x10\x11echo st''ill\r")
	if !r.waitFor(30*time.Second, "still") {
		t.Fatalf("--detach-keys \"\" detached or lost input: %q", r.output())
	}
	r.write("exit 3\r")
	if code := r.wait(30 * time.Second); code != 3 {
		t.Fatalf("exit 3 expected; got %d; output %q", code, r.output())
	}

	rm := e.startPTY("run", "-it", "--rm", "--name", "gone", testImage, "sh")
	if !rm.waitFor(60*time.Second, "#") {
		t.Fatalf("no prompt: %q", rm.output())
	}
	rm.write("\x10\x11")
	if code := rm.wait(30 * time.Second); code != 0 {
		t.Fatalf("run --rm -it after the detach keys exited %d; output %q", code, rm.output())
	}
	e.waitStatus("gone", "Up ", 10*time.Second)
	ga := e.startPTY("attach", "gone")
	ga.write("exit 0\r")
	if code := ga.wait(30 * time.Second); code != 0 {
		t.Fatalf("attach to the --rm container: exit %d; output %q", code, ga.output())
	}
	if !eventually(30*time.Second, func() bool { return e.pod("container", "exists", "gone").code == 1 }) {
		t.Fatalf("the detached --rm container was not removed at its exit: %s", e.pod("ps", "-a"))
	}
	expectError(t, e.pod("run", "-it", "--detach-keys", "ctrl-1", testImage, "true"), 125, "ctrl-1")
	e.expectClean()
}
