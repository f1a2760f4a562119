package runtime

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/storage"
)

// SpecVersion is the OCI runtime-spec version pod writes: the oldest that
// has what pod uses, so that older runtimes (crun 1.8 refuses 1.3.0) accept it.
const SpecVersion = "1.0.2"

// Candidates are the runtimes pod tries, in order, when none is forced.
var Candidates = []string{"crun", "runc"}

// ErrNoRuntime: no OCI runtime on PATH works here.
var ErrNoRuntime = errors.New("no working OCI runtime")

// Runtime is an OCI runtime binary that was found and probed.
type Runtime struct {
	Name    string // "crun", "runc", or the base name of a forced path
	Path    string
	Version string // first line of --version
	// StateRoot is the runtime's --root, pod's own per run root.
	StateRoot string
	// Skipped lists the candidates passed over, and why.
	Skipped []Skip
	// globalArgs come before every subcommand (runc's --rootless).
	globalArgs []string
}

// Skip records why a candidate runtime was not used.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// FindOptions say which runtime to use and where it keeps its state.
type FindOptions struct {
	// Forced is --runtime: a name on PATH or a path; it is used unprobed.
	Forced string
	// RunRoot is the storage run root; the runtime state and the probe
	// cache live under it.
	RunRoot string
	// Rootless: pod runs in its user namespace, so the runtime must not
	// expect to manage cgroups (runc decides that from XDG_RUNTIME_DIR
	// otherwise).
	Rootless bool
}

func globalArgs(name string, rootless bool) []string {
	if rootless && name == "runc" {
		return []string{"--rootless", "true"}
	}
	return nil
}

// probeCacheSchema is the schema of the runtime probe's cache: a cache of
// another schema is probed again.
const probeCacheSchema = 2

type probeCache struct {
	Schema  int    `json:"schema"`
	Key     string `json:"key"`
	Works   bool   `json:"works"`
	Reason  string `json:"reason,omitempty"`
	Version string `json:"version"`
}

// Find picks the runtime: the forced one, or the first candidate on PATH
// whose probe (starting a tiny container) succeeds. Probe results are
// cached per binary (path, size, mtime), so only the first call pays.
func Find(ctx context.Context, opts FindOptions) (*Runtime, error) {
	if opts.Forced != "" {
		p, err := exec.LookPath(opts.Forced)
		if err != nil {
			return nil, fmt.Errorf("runtime %q (forced by --runtime) not found: install it or name another: %w", opts.Forced, ErrNoRuntime)
		}
		name := filepath.Base(p)
		return &Runtime{Name: name, Path: p, Version: version(ctx, p), StateRoot: stateRoot(opts.RunRoot, name), globalArgs: globalArgs(name, opts.Rootless)}, nil
	}
	var skipped []Skip
	for _, name := range Candidates {
		p, err := exec.LookPath(name)
		if err != nil {
			skipped = append(skipped, Skip{name, "not found in $PATH"})
			continue
		}
		pc := probe(ctx, opts.RunRoot, name, p, globalArgs(name, opts.Rootless))
		if !pc.Works {
			logrus.Debugf("runtime %s skipped: %s", name, pc.Reason)
			skipped = append(skipped, Skip{name, pc.Reason})
			continue
		}
		rt := &Runtime{Name: name, Path: p, Version: pc.Version, StateRoot: stateRoot(opts.RunRoot, name), Skipped: skipped, globalArgs: globalArgs(name, opts.Rootless)}
		for _, s := range skipped {
			logrus.Debugf("using runtime %s (%s); skipped %s: %s", name, p, s.Name, s.Reason)
		}
		return rt, nil
	}
	var why []string
	for _, s := range skipped {
		why = append(why, s.Name+": "+s.Reason)
	}
	return nil, fmt.Errorf("%w: %s; install runc (sudo apt-get install runc)", ErrNoRuntime, strings.Join(why, "; "))
}

func stateRoot(runRoot, name string) string { return filepath.Join(runRoot, "runtime-"+name) }

func version(ctx context.Context, path string) string {
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return "unknown"
	}
	line, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(line)
}

// probe starts a minimal container whose process is this very binary in
// its probe role, and caches the verdict.
func probe(ctx context.Context, runRoot, name, path string, gargs []string) probeCache {
	fi, err := os.Stat(path)
	if err != nil {
		return probeCache{Reason: err.Error()}
	}
	key := fmt.Sprintf("%s:%d:%d", path, fi.Size(), fi.ModTime().UnixNano())
	cacheFile := filepath.Join(runRoot, "runtime-probe-"+name+".json")
	var pc probeCache
	if b, err := os.ReadFile(cacheFile); err == nil && json.Unmarshal(b, &pc) == nil && pc.Key == key && pc.Schema == probeCacheSchema {
		return pc
	}
	pc = probeCache{Schema: probeCacheSchema, Key: key, Version: version(ctx, path)}
	if err := runProbe(ctx, runRoot, name, path, gargs); err != nil {
		pc.Reason = err.Error()
	} else {
		pc.Works = true
	}
	if b, err := json.Marshal(pc); err == nil && os.MkdirAll(runRoot, 0o700) == nil {
		_ = storage.WriteFileAtomic(cacheFile, b, 0o600)
	}
	return pc
}

func runProbe(ctx context.Context, runRoot, name, path string, gargs []string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(runRoot, 0o700); err != nil {
		return err
	}
	dir, err := os.MkdirTemp(runRoot, "probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// crun opens the root filesystem's /dev before it mounts anything.
	if err := os.MkdirAll(filepath.Join(dir, "rootfs", "dev"), 0o755); err != nil {
		return err
	}
	spec := probeSpec(self)
	b, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	id := "pod-probe-" + filepath.Base(dir)
	var stderr bytes.Buffer
	base := append([]string{"--root", stateRoot(runRoot, name)}, gargs...)
	cmd := exec.CommandContext(ctx, path, append(base, "run", "--bundle", dir, id)...)
	cmd.Stderr = &stderr
	err = cmd.Run()
	_ = exec.Command(path, append(base, "delete", "--force", id)...).Run()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		line, _, _ := strings.Cut(msg, "\n")
		return fmt.Errorf("a test container failed: %s", line)
	}
	return nil
}

func probeSpec(self string) *specs.Spec {
	return &specs.Spec{
		Version: SpecVersion,
		Root:    &specs.Root{Path: "rootfs"},
		Process: &specs.Process{
			Args: []string{"/pod"},
			Env:  []string{"POD_ROLE=probe"},
			Cwd:  "/",
		},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			// As a container's: the runtime makes its devices there.
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/pod", Type: "bind", Source: self, Options: []string{"bind", "ro"}},
		},
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.IPCNamespace}, {Type: specs.UTSNamespace}},
		},
	}
}

// Command returns an unstarted call of the runtime binary with pod's global
// arguments (--root, and --rootless for runc) before args.
func (r *Runtime) Command(ctx context.Context, args ...string) *exec.Cmd {
	return r.command(ctx, args...)
}

func (r *Runtime) command(ctx context.Context, args ...string) *exec.Cmd {
	base := append([]string{"--root", r.StateRoot}, r.globalArgs...)
	return exec.CommandContext(ctx, r.Path, append(base, args...)...)
}

// Error is a failed runtime call, with what the runtime said.
type Error struct {
	Op, ID, Msg string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Op, e.ID, e.Msg)
}

// RunOptions are the stdio of a container run in the foreground.
type RunOptions struct {
	PidFile string
	// Stdin, Stdout and Stderr are handed to the runtime as they are, and
	// the container's process inherits them (see setStdio).
	Stdin, Stdout, Stderr *os.File
	// NewProcessGroup puts the container in its own process group, so that
	// signals from the terminal reach it only through pod.
	NewProcessGroup bool
	// ExtraFiles are the container process's 3 onwards (--preserve-fds).
	ExtraFiles []*os.File
}

// Run starts `run`: the runtime creates, starts and waits for the container
// and exits with its status (128+N for signal N), deleting it afterwards.
// It is one runtime process instead of create, start and delete. The caller
// waits for the returned command and passes it to RunResult.
func (r *Runtime) Run(ctx context.Context, id, bundle string, o RunOptions) (*exec.Cmd, error) {
	logFile := filepath.Join(bundle, "runtime.log")
	_ = os.Remove(logFile)
	args := []string{"--log", logFile, "--log-format", "json", "run", "--bundle", bundle}
	if o.PidFile != "" {
		args = append(args, "--pid-file", o.PidFile)
	}
	if len(o.ExtraFiles) > 0 {
		args = append(args, "--preserve-fds", strconv.Itoa(len(o.ExtraFiles)))
	}
	cmd := r.command(context.WithoutCancel(ctx), append(args, id)...)
	setStdio(cmd, o.Stdin, o.Stdout, o.Stderr)
	cmd.ExtraFiles = o.ExtraFiles
	if o.NewProcessGroup {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("running %s: %w", r.Path, err)
	}
	return cmd, nil
}

// RunDetached runs the container with `run --detach`: the runtime exits once
// the container has started, sending its PTY master to consoleSocket. The
// caller, a child subreaper, then reaps the container itself and deletes it
// with Delete.
func (r *Runtime) RunDetached(ctx context.Context, id, bundle, consoleSocket, pidFile string, extra ...*os.File) error {
	logFile := filepath.Join(bundle, "runtime.log")
	_ = os.Remove(logFile)
	args := []string{"--log", logFile, "--log-format", "json", "run", "--detach", "--bundle", bundle, "--pid-file", pidFile}
	if consoleSocket != "" {
		args = append(args, "--console-socket", consoleSocket)
	}
	if len(extra) > 0 {
		args = append(args, "--preserve-fds", strconv.Itoa(len(extra)))
	}
	var stderr bytes.Buffer
	cmd := r.command(ctx, append(args, id)...)
	cmd.Stderr = &stderr
	cmd.ExtraFiles = extra
	if err := cmd.Run(); err != nil {
		return &Error{Op: r.Name + " run", ID: id, Msg: lastLogError(logFile, stderr.String(), err)}
	}
	return nil
}

// RunResult turns the end of a Run into the container's exit code, or
// into an *Error when the runtime itself failed (it logged an error).
func (r *Runtime) RunResult(id, bundle string, waitErr error) (int, error) {
	return r.result("run", id, bundle, waitErr)
}

// result turns a runtime call's end into the process's exit code (128+N
// for signal N), or into an *Error when the runtime wrote an error to the
// JSON log in dir.
func (r *Runtime) result(op, id, dir string, waitErr error) (int, error) {
	code := 0
	if waitErr != nil {
		var ee *exec.ExitError
		if !errors.As(waitErr, &ee) {
			return 0, &Error{Op: r.Name + " " + op, ID: id, Msg: waitErr.Error()}
		}
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		} else {
			code = ee.ExitCode()
		}
	}
	if code != 0 {
		if msg := logError(filepath.Join(dir, "runtime.log")); msg != "" {
			return code, &Error{Op: r.Name + " " + op, ID: id, Msg: msg}
		}
	}
	return code, nil
}

// logError returns the last error the runtime wrote to its JSON log.
func logError(logFile string) string {
	b, err := os.ReadFile(logFile)
	if err != nil {
		return ""
	}
	msg := ""
	for _, line := range strings.Split(string(b), "\n") {
		var l struct{ Level, Msg string }
		if json.Unmarshal([]byte(line), &l) == nil && (l.Level == "error" || l.Level == "fatal") {
			msg = l.Msg
		}
	}
	return msg
}

// lastLogError returns the runtime's own error message from its JSON log,
// falling back to its stderr and the exit status.
func lastLogError(logFile, stderr string, err error) string {
	msg := logError(logFile)
	if msg == "" {
		msg = strings.TrimSpace(stderr)
	}
	if msg == "" {
		msg = err.Error()
	}
	return msg
}

func (r *Runtime) simple(ctx context.Context, op, id string, args ...string) error {
	out, err := r.command(ctx, args...).CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return &Error{Op: r.Name + " " + op, ID: id, Msg: msg}
	}
	return nil
}

// Kill sends sig to the container's init process (all processes with all).
func (r *Runtime) Kill(ctx context.Context, id string, sig syscall.Signal, all bool) error {
	args := []string{"kill"}
	if all {
		args = append(args, "--all")
	}
	return r.simple(ctx, "kill", id, append(args, id, fmt.Sprint(int(sig)))...)
}

// Delete removes the runtime's state of the container; force kills it first.
func (r *Runtime) Delete(ctx context.Context, id string, force bool) error {
	args := []string{"delete"}
	if force {
		args = append(args, "--force")
	}
	return r.simple(ctx, "delete", id, append(args, id)...)
}

// setStdio hands files to the runtime as its stdio, which the container's
// process inherits: files, never pipes for exec to copy (Wait would then
// wait for the container to close them). nil leaves /dev/null.
func setStdio(cmd *exec.Cmd, in, out, errw *os.File) {
	if in != nil {
		cmd.Stdin = in
	}
	if out != nil {
		cmd.Stdout = out
	}
	if errw != nil {
		cmd.Stderr = errw
	}
}
