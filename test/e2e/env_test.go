package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// cmdTimeout bounds one pod call: generous, as CI machines are slow, yet
// short enough that a hanging pod does not stall the whole suite.
var cmdTimeout = durationEnv("POD_E2E_CMD_TIMEOUT", 90*time.Second)

// env is one test's world: its own directories, storage and pause process.
type env struct {
	t    *testing.T
	user *testUser
	// dir holds everything of the test; owned by the user.
	dir string
	// home and xdg are $HOME and $XDG_RUNTIME_DIR (0700, owned by the user).
	home, xdg string
	// firstXDG is xdg as newEnv made it (a test may change xdg).
	firstXDG string
	// root and runroot are passed as --root and --runroot.
	root, runroot string
	// noXDG drops XDG_RUNTIME_DIR from pod's environment.
	noXDG bool
	// fallback says pod keeps its pause PID in /tmp/pod-UID (XDG_RUNTIME_DIR
	// unset or not writable).
	fallback bool
	// path replaces the default PATH when set.
	path string
	// bin replaces the suite's pod binary when set.
	bin string
	// extraEnv is added to pod's environment (KEY=VALUE).
	extraEnv []string
	// foreignPause is a pause process the test found running and must
	// leave alone (the shared /tmp/pod-UID fallback of a developer's
	// machine): neither it nor its namespace's processes are killed.
	foreignPause int
}

var dirSeq struct {
	sync.Mutex
	n int
}

// newEnv makes a fresh world for t run by the suite's test user.
func newEnv(t *testing.T) *env {
	t.Helper()
	if suite.setupErr != nil {
		t.Fatalf("e2e setup failed: %v", suite.setupErr)
	}
	return newEnvFor(t, suite.user)
}

// newEnvFor makes a fresh world for t run by u.
func newEnvFor(t *testing.T, u *testUser) *env {
	t.Helper()
	dirSeq.Lock()
	dirSeq.n++
	n := dirSeq.n
	dirSeq.Unlock()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	e := &env{t: t, user: u, dir: filepath.Join(suite.base, fmt.Sprintf("%03d-%s", n, name))}
	e.home = filepath.Join(e.dir, "home")
	e.xdg = filepath.Join(e.dir, "xdg")
	e.firstXDG = e.xdg
	e.root = filepath.Join(e.dir, "root")
	e.runroot = filepath.Join(e.dir, "runroot")
	for _, d := range []struct {
		path string
		mode os.FileMode
	}{{e.dir, 0o755}, {e.home, 0o700}, {e.xdg, 0o700}} {
		if err := os.Mkdir(d.path, d.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(d.path, d.mode); err != nil {
			t.Fatal(err)
		}
		e.chown(d.path)
	}
	t.Cleanup(e.cleanup)
	return e
}

// chown gives path to the test user (a no-op when running as that user).
func (e *env) chown(path string) {
	e.t.Helper()
	if e.user.self {
		return
	}
	if err := os.Lchown(path, e.user.uid, e.user.gid); err != nil {
		e.t.Fatal(err)
	}
}

// writeFile writes a file the test user owns.
func (e *env) writeFile(name, content string) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		e.t.Fatal(err)
	}
	e.chown(p)
	return p
}

// environ is pod's environment: a clean one, as a login of the user.
func (e *env) environ() []string {
	path := "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	if e.path != "" {
		path = e.path
	}
	env := []string{
		"PATH=" + path,
		"HOME=" + e.home,
		"USER=" + e.user.name,
		"LOGNAME=" + e.user.name,
		"LANG=C.UTF-8",
		e.marker(),
	}
	if !e.noXDG {
		env = append(env, "XDG_RUNTIME_DIR="+e.xdg)
	}
	return append(env, e.extraEnv...)
}

// marker is an environment entry that tags every process of this test
// that inherits pod's environment.
func (e *env) marker() string { return "POD_E2E_ENV=" + e.dir }

// command returns pod with the test's --root and --runroot and args; the
// caller sets stdio and starts it.
func (e *env) command(ctx context.Context, args ...string) *exec.Cmd {
	full := append([]string{"--root", e.root, "--runroot", e.runroot}, args...)
	return e.rawCommand(ctx, full...)
}

// rawCommand returns pod with exactly args.
func (e *env) rawCommand(ctx context.Context, args ...string) *exec.Cmd {
	bin := suite.pod
	if e.bin != "" {
		bin = e.bin
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = e.environ()
	cmd.Dir = e.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if !e.user.self {
		cmd.SysProcAttr.Credential = &syscall.Credential{
			Uid: uint32(e.user.uid), Gid: uint32(e.user.gid), Groups: []uint32{},
		}
	}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// result is what one pod call did.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("pod %s\nexit code: %d\nstdout:\n%s\nstderr:\n%s",
		strings.Join(r.args, " "), r.code, indent(r.stdout), indent(r.stderr))
}

func indent(s string) string {
	if s == "" {
		return "    (empty)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// pod runs pod with args (after --root/--runroot) and no stdin.
func (e *env) pod(args ...string) result {
	e.t.Helper()
	return e.podStdin(nil, args...)
}

// podStdin runs pod with args and stdin.
func (e *env) podStdin(stdin io.Reader, args ...string) result {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cmdTimeout)
	defer cancel()
	return e.runCmd(e.command(ctx, args...), stdin, args)
}

// runCmd runs cmd to its end and collects its result.
func (e *env) runCmd(cmd *exec.Cmd, stdin io.Reader, args []string) result {
	e.t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &stdout, &stderr
	err := cmd.Run()
	r := result{args: args, stdout: stdout.String(), stderr: stderr.String()}
	switch ee := err.(type) {
	case nil:
	case *exec.ExitError:
		r.code = ee.ExitCode()
		if r.code < 0 {
			e.t.Fatalf("pod killed (%v; timeout %v?)\n%s", ee, cmdTimeout, r)
		}
	default:
		e.t.Fatalf("starting pod: %v\n%s", err, r)
	}
	return r
}

// ok runs pod and fails the test unless it exits 0; returns stdout.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.pod(args...)
	if r.code != 0 {
		e.t.Fatalf("expected exit 0:\n%s", r)
	}
	return r.stdout
}

// expect asserts r's exit code and exact stdout.
func expect(t *testing.T, r result, code int, stdout string) {
	t.Helper()
	if r.code != code || r.stdout != stdout {
		t.Fatalf("expected exit %d and stdout %q:\n%s", code, stdout, r)
	}
}

// expectError asserts a pod error: the exit code, an "Error: " line on
// stderr, and that stderr mentions every one of words (case-insensitive).
func expectError(t *testing.T, r result, code int, words ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("expected exit %d:\n%s", code, r)
	}
	if !strings.HasPrefix(r.stderr, "Error: ") && !strings.Contains(r.stderr, "\nError: ") {
		t.Fatalf("expected an \"Error: \" line on stderr:\n%s", r)
	}
	low := strings.ToLower(r.stderr)
	for _, w := range words {
		if !strings.Contains(low, strings.ToLower(w)) {
			t.Fatalf("expected stderr to mention %q:\n%s", w, r)
		}
	}
}

// pauseFile is where pod keeps the pause process's PID for this env.
func (e *env) pauseFile() string {
	if e.noXDG || e.fallback {
		return fallbackPauseFile(e.user)
	}
	return filepath.Join(e.xdg, "pod", "pause.pid")
}

func fallbackPauseFile(u *testUser) string {
	return filepath.Join("/tmp", "pod-"+strconv.Itoa(u.uid), "pause.pid")
}

// pausePID reads the pause process's PID; 0 when there is no pid file.
func (e *env) pausePID() int {
	return readPIDFile(e.pauseFile())
}

// readPIDFile reads a plain PID file, or one of pod's with the process's
// identity ({"version":1,"pid":N,...}); 0 when it is missing or malformed.
func readPIDFile(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(s, "{") {
		var v struct {
			PID int `json:"pid"`
		}
		if json.Unmarshal(b, &v) != nil {
			return 0
		}
		return v.PID
	}
	pid, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return pid
}

// livePausePID returns the pause PID and fails unless it is alive.
func (e *env) livePausePID() int {
	e.t.Helper()
	pid := e.pausePID()
	if pid <= 0 {
		e.t.Fatalf("no pause pid file at %s", e.pauseFile())
	}
	if !alive(pid) {
		e.t.Fatalf("pause process %d (from %s) is not running", pid, e.pauseFile())
	}
	return pid
}

// eventually polls cond until it holds or timeout passes; it returns
// whether it held. Waiting is never an assertion by itself.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cleanup kills what the test left running and removes its files.
func (e *env) cleanup() {
	e.t.Helper()
	e.killAll()
	if os.Getenv("POD_E2E_KEEP") != "" {
		e.t.Logf("keeping %s", e.dir)
		return
	}
	if e.user.self {
		// Storage files owned by subuids can only go from inside the
		// namespace: a fresh pause (the old one is dead) has no mounts.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := e.rawCommand(ctx, "unshare", "rm", "-rf", e.root, e.runroot)
		_ = cmd.Run()
		cancel()
		e.killAll()
	}
	if err := os.RemoveAll(e.dir); err != nil {
		_ = exec.Command("chmod", "-R", "u+rwX", e.dir).Run()
		if err := os.RemoveAll(e.dir); err != nil {
			e.t.Logf("cleanup: %v", err)
		}
	}
}

// killAll kills the test's pause process and every process in its user
// namespace or started with its XDG_RUNTIME_DIR, and waits for them.
func (e *env) killAll() {
	var pids []int
	pauses := []int{readPIDFile(filepath.Join(e.firstXDG, "pod", "pause.pid")), e.pausePID()}
	for i, pause := range pauses {
		if pause <= 0 || pause == e.foreignPause || !isPause(pause, e.user) || (i == 1 && pause == pauses[0]) {
			continue
		}
		for _, p := range e.leftovers(pause) {
			pids = append(pids, p.pid)
		}
		pids = append(pids, pause)
	}
	for _, p := range e.leftovers(-1) {
		pids = append(pids, p.pid)
	}
	for _, p := range pids {
		_ = syscall.Kill(p, syscall.SIGKILL)
	}
	if !eventually(20*time.Second, func() bool {
		for _, p := range pids {
			if alive(p) {
				return false
			}
		}
		return true
	}) {
		e.t.Logf("cleanup: processes %v survived SIGKILL", pids)
	}
}

// durationEnv reads a duration from the environment, else def.
func durationEnv(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

// rootEnv is an env whose pod runs as root, for the tests of what only a
// rootful pod does (why says what); it skips when the tests do not run as
// root. Rootful mounts live in the host's mount namespace: none may stay.
func rootEnv(t *testing.T, why string) *env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: " + why)
	}
	if suite.setupErr != nil {
		t.Fatalf("e2e setup failed: %v", suite.setupErr)
	}
	e := newEnvFor(t, &testUser{name: "root", uid: 0, gid: 0, self: true})
	t.Cleanup(func() { unmountUnder(t, e.dir) })
	return e
}
