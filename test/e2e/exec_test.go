package e2e

import (
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runningContainer starts `pod run --name NAME [FLAGS] IMAGE sleep 1000`
// in the background (a foreground run held by the test) and waits until ps
// shows it running.
func (e *env) runningContainer(name string, flags ...string) *session {
	e.t.Helper()
	args := append(append([]string{"run", "--name", name}, flags...), testImage, "sleep", "1000")
	s := e.startPiped(args...)
	up := eventually(60*time.Second, func() bool {
		out := e.pod("ps", "--format", "{{.Names}} {{.State}}").stdout
		return strings.Contains(out, name+" running")
	})
	if !up {
		e.t.Fatalf("container %s did not come up; pod run said: %q %q; ps -a:\n%s", name, s.output(), s.stderr.String(), e.pod("ps", "-a").stdout)
	}
	return s
}

func TestExecExitCodes(t *testing.T) {
	e := withImage(t)
	e.runningContainer("ex")
	expect(t, e.pod("exec", "ex", "echo", "hello"), 0, "hello\n")
	expect(t, e.pod("exec", "ex", "true"), 0, "")
	expect(t, e.pod("exec", "ex", "sh", "-c", "exit 42"), 42, "")
	expectError(t, e.pod("exec", "ex", "nonexistent-cmd"), 127, "nonexistent-cmd", "not found")
	expectError(t, e.pod("exec", "ex", "/etc/passwd"), 126, "/etc/passwd")
	// A signal ends the process: 128+N, as with Docker.
	expect(t, e.pod("exec", "ex", "sh", "-c", "kill -TERM $$"), 143, "")
	expectError(t, e.pod("exec", "nosuch", "true"), 125, "nosuch")
	expectError(t, e.pod("exec", "ex"), 125)

	expect(t, e.pod("run", "--name", "stopped", testImage, "true"), 0, "")
	expectError(t, e.pod("exec", "stopped", "true"), 125, "container stopped is not running")
}

func TestExecOptions(t *testing.T) {
	e := withImage(t)
	e.runningContainer("opts")
	t.Run("env", func(t *testing.T) {
		f := e.writeFile("exec.env", "# comment\nC=3\n")
		expect(t, e.pod("exec", "-e", "A=1", "--env", "B=two words", "--env-file", f, "opts", "sh", "-c", `echo "$A|$B|$C"`), 0, "1|two words|3\n")
		// The container's environment is kept.
		expect(t, e.pod("exec", "opts", "sh", "-c", `echo "$HOSTNAME" | wc -c; echo "$HOME"`), 0, "13\n/root\n")
	})
	t.Run("user", func(t *testing.T) {
		expect(t, e.pod("exec", "-u", "user", "opts", "sh", "-c", `id -u; id -g; echo "$HOME"`), 0, "1000\n1000\n/home/user\n")
		expect(t, e.pod("exec", "--user", "1000:0", "opts", "sh", "-c", "id -u; id -g"), 0, "1000\n0\n")
		expectError(t, e.pod("exec", "-u", "nosuchuser", "opts", "true"), 125, "nosuchuser")
	})
	t.Run("workdir", func(t *testing.T) {
		expect(t, e.pod("exec", "-w", "/tmp", "opts", "pwd"), 0, "/tmp\n")
		expectError(t, e.pod("exec", "-w", "relative", "opts", "pwd"), 125, "absolute")
	})
	t.Run("interactive", func(t *testing.T) {
		r := e.podStdin(strings.NewReader("from stdin\n"), "exec", "-i", "opts", "cat")
		expect(t, r, 0, "from stdin\n")
		// Without -i the process gets no input.
		r = e.podStdin(strings.NewReader("dropped\n"), "exec", "opts", "cat")
		expect(t, r, 0, "")
	})
	t.Run("detach", func(t *testing.T) {
		expect(t, e.pod("exec", "-d", "opts", "sh", "-c", "sleep 0.3; echo done > /tmp/detached"), 0, "")
		if !eventually(20*time.Second, func() bool { return e.pod("exec", "opts", "cat", "/tmp/detached").stdout == "done\n" }) {
			t.Fatalf("exec -d did not run its command: %s", e.pod("exec", "opts", "ls", "/tmp"))
		}
	})
	t.Run("privileged", func(t *testing.T) {
		capEff := regexp.MustCompile(`CapEff:\s*([0-9a-f]+)`)
		plain := capEff.FindStringSubmatch(e.ok("exec", "opts", "cat", "/proc/self/status"))
		priv := capEff.FindStringSubmatch(e.ok("exec", "--privileged", "opts", "cat", "/proc/self/status"))
		if plain == nil || priv == nil || plain[1] == priv[1] {
			t.Fatalf("--privileged did not widen the capabilities: %v vs %v", plain, priv)
		}
	})
}

func TestExecTTY(t *testing.T) {
	e := withImage(t)
	e.runningContainer("tty")
	r := e.pod("exec", "-t", "tty", "tty")
	if r.code != 0 || !regexp.MustCompile(`^/dev/pts/\d+\r?\n$`).MatchString(r.stdout) {
		t.Fatalf("expected /dev/pts/N from tty with exec -t:\n%s", r)
	}
	r = e.pod("exec", "tty", "tty")
	if r.code != 1 || !strings.Contains(r.stdout, "not a tty") {
		t.Fatalf("expected \"not a tty\" without -t:\n%s", r)
	}
	s := e.startPTY("exec", "-it", "tty", "sh")
	if !s.waitFor(60*time.Second, "#") {
		t.Fatalf("no shell prompt; output so far: %q", s.output())
	}
	s.write("echo TERM=$TERM; tty\r")
	if !s.waitForRegexp(60*time.Second, regexp.MustCompile(`TERM=xterm\r?\n/dev/pts/\d+`)) {
		t.Fatalf("no TERM=xterm and /dev/pts/N; output so far: %q", s.output())
	}
	s.write("exit 7\r")
	if code := s.wait(60 * time.Second); code != 7 {
		t.Fatalf("expected exit 7 from the shell, got %d; output: %q", code, s.output())
	}
}

// TestExecSignals: a signal to pod exec reaches the process, whose exit
// code pod passes on.
func TestExecSignals(t *testing.T) {
	e := withImage(t)
	e.runningContainer("sig")
	for _, tty := range []bool{false, true} {
		args := []string{"exec", "sig", "sh", "-c", `trap "echo got TERM; exit 3" TERM; echo ready; while :; do sleep 0.1; done`}
		if tty {
			args = append([]string{"exec", "-t"}, args[1:]...)
		}
		p := e.startPiped(args...)
		if !p.waitFor(60*time.Second, "ready") {
			t.Fatalf("tty %v: never printed ready; stdout %q stderr %q", tty, p.stdout.String(), p.stderr.String())
		}
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(60 * time.Second); code != 3 || !strings.Contains(p.stdout.String(), "got TERM") {
			t.Fatalf("tty %v: expected exit 3 and \"got TERM\"; exit %d stdout %q stderr %q", tty, code, p.stdout.String(), p.stderr.String())
		}
	}
}

// TestExecOnVolume: a command on a bind mount is run, though the root
// filesystem does not hold it; a missing one there is still 127.
func TestExecOnVolume(t *testing.T) {
	e := withImage(t)
	tools := e.mkdirUser("tools")
	script := e.writeFile("tools/hello", "#!/bin/sh\necho from the volume\n")
	if err := os.Chmod(script, 0o755); err != nil {
		t.Fatal(err)
	}
	e.runningContainer("vol", "-v", tools+":/tools")
	expect(t, e.pod("exec", "vol", "/tools/hello"), 0, "from the volume\n")
	expect(t, e.pod("exec", "-e", "PATH=/bin:/tools", "vol", "hello"), 0, "from the volume\n")
	expect(t, e.pod("exec", "-w", "/tools", "vol", "./hello"), 0, "from the volume\n")
	r := e.pod("exec", "vol", "/tools/missing")
	if r.code != 127 {
		t.Fatalf("expected 127 for a missing command on a volume:\n%s", r)
	}
}
