package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// This file plays systemd's part for the tests of running under a unit: a
// notification socket the test owns, and a subreaper that sees the exit
// status of the unit's main process.

// notifySocket is a NOTIFY_SOCKET as systemd makes one for a Type=notify
// unit.
type notifySocket struct {
	t    *testing.T
	path string
	conn *net.UnixConn
}

// notifySocket listens on a datagram socket in the test's directory.
func (e *env) notifySocket() *notifySocket {
	e.t.Helper()
	p := filepath.Join(e.dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	if err := os.Chmod(p, 0o777); err != nil {
		e.t.Fatal(err)
	}
	return &notifySocket{t: e.t, path: p, conn: conn}
}

// next returns the next notification, or "" after timeout.
func (n *notifySocket) next(timeout time.Duration) string {
	n.t.Helper()
	buf := make([]byte, 4096)
	_ = n.conn.SetReadDeadline(time.Now().Add(timeout))
	k, _, err := n.conn.ReadFromUnix(buf)
	if err != nil {
		return ""
	}
	return string(buf[:k])
}

// until reads notifications until one holds every one of assignments (each
// a line such as READY=1); it fails the test after timeout with what came.
func (n *notifySocket) until(timeout time.Duration, assignments ...string) map[string]string {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	var seen []string
	for time.Now().Before(deadline) {
		msg := n.next(time.Until(deadline))
		if msg == "" {
			break
		}
		seen = append(seen, msg)
		got := map[string]string{}
		for _, l := range strings.Split(msg, "\n") {
			if k, v, ok := strings.Cut(l, "="); ok {
				got[k] = v
			}
		}
		all := true
		for _, a := range assignments {
			k, v, _ := strings.Cut(a, "=")
			if got[k] != v && !(v == "*" && got[k] != "") {
				all = false
			}
		}
		if all {
			return got
		}
	}
	n.t.Fatalf("no notification with %q within %v; got %q", assignments, timeout, seen)
	return nil
}

// withEnv runs pod with extra environment entries.
func (e *env) withEnv(extra []string, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	cmd := e.command(ctx, args...)
	cmd.Env = append(cmd.Env, extra...)
	return e.runCmd(cmd, nil, args)
}

// reaperEnv marks the test binary started as a subreaper (see reaperMain).
const reaperEnv = "POD_E2E_REAPER"

// reaper is a process that, as systemd does for a unit, becomes the parent
// of every process the command it started leaves behind, and reports how
// each ended.
type reaper struct {
	cmd  *exec.Cmd
	out  bytes.Buffer
	done chan struct{}
}

// startReaper runs pod with args (after --root and --runroot) and extra
// environment under a subreaper that lives until every descendant ended.
func (e *env) startReaper(extra []string, args ...string) *reaper {
	e.t.Helper()
	return e.startReaperArgv(extra, append([]string{suite.pod, "--root", e.root, "--runroot", e.runroot}, args...))
}

// startReaperArgv is startReaper of a whole command line (a unit's).
func (e *env) startReaperArgv(extra, argv []string) *reaper {
	e.t.Helper()
	self, err := os.Executable()
	if err != nil {
		e.t.Fatal(err)
	}
	r := &reaper{done: make(chan struct{})}
	r.cmd = exec.Command(self, append([]string{"-test.run=^$", "--"}, argv...)...)
	r.cmd.Env = append(append(e.environ(), extra...), reaperEnv+"="+strconv.Itoa(e.user.uid)+":"+strconv.Itoa(e.user.gid))
	r.cmd.Dir = e.dir
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	e.t.Cleanup(func() {
		select {
		case <-r.done:
		case <-time.After(cmdTimeout):
			_ = r.cmd.Process.Kill()
		}
	})
	return r
}

// endUnit does what systemd does when a unit's main process has ended: it
// stops what is left in the unit (KillMode=control-group). The one
// process pod leaves there by design is the rootless network's holder,
// started by the unit's first pod run and serving every container on a
// bridge (their monitors start it again elsewhere); any other process
// left still makes exits fail.
func (r *reaper) endUnit(t *testing.T, main int) {
	t.Helper()
	if !eventually(cmdTimeout, func() bool { return !alive(main) }) {
		t.Fatalf("the main process %d still runs", main)
	}
	for _, p := range processes() {
		if strings.HasPrefix(p.cmdline, "pod-netns-holder") && descends(p.pid, r.cmd.Process.Pid) {
			_ = syscall.Kill(p.pid, syscall.SIGTERM)
		}
	}
}

// descends reports whether pid is a descendant of ancestor.
func descends(pid, ancestor int) bool {
	for i := 0; i < 64 && pid > 1; i++ {
		if pid = parentOf(pid); pid == ancestor {
			return true
		}
	}
	return false
}

// childrenOf lists the live child processes of pid, from their parent
// PID (whichever of pid's threads forked them).
func childrenOf(pid int) []int {
	var out []int
	for _, p := range processes() {
		if parentOf(p.pid) == pid {
			out = append(out, p.pid)
		}
	}
	return out
}

// exits waits until the reaper ended and returns the exit status of the
// command ("cmd") and of every orphan it reaped (by PID).
func (r *reaper) exits(t *testing.T, timeout time.Duration) map[string]int {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(timeout):
		t.Fatalf("processes of the unit still run after %v:\n%s", timeout, r.out.String())
	}
	got := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(r.out.Bytes()))
	for sc.Scan() {
		var who string
		var code int
		if n, _ := fmt.Sscanf(sc.Text(), "reaped %s %d", &who, &code); n == 2 {
			got[who] = code
		}
	}
	return got
}

// reaperMain is the test binary as a subreaper: it runs os.Args after
// "--" as the test user, reaps every descendant, prints "reaped cmd CODE"
// for the command and "reaped PID CODE" for each orphan, and exits when
// none is left.
func reaperMain() {
	var argv []string
	for i, a := range os.Args {
		if a == "--" {
			argv = os.Args[i+1:]
			break
		}
	}
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil || len(argv) == 0 {
		fmt.Println("reaper:", err, argv)
		os.Exit(2)
	}
	var uid, gid int
	fmt.Sscanf(os.Getenv(reaperEnv), "%d:%d", &uid, &gid)
	env := os.Environ()[:0]
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, reaperEnv+"=") {
			env = append(env, kv)
		}
	}
	attr := &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}, Sys: &syscall.SysProcAttr{}}
	if os.Geteuid() == 0 && uid != 0 {
		attr.Sys.Credential = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	}
	pid, err := syscall.ForkExec(argv[0], argv, attr)
	if err != nil {
		fmt.Println("reaper:", err)
		os.Exit(2)
	}
	for {
		var ws syscall.WaitStatus
		p, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			os.Exit(0) // ECHILD: nothing left
		}
		code := ws.ExitStatus()
		if ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		who := strconv.Itoa(p)
		if p == pid {
			who = "cmd"
		}
		fmt.Printf("reaped %s %d\n", who, code)
	}
}
