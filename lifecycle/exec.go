package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/term"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
)

// ExecOptions describe a process to start in a running container (`pod
// exec`). Zero fields mean the container's own value.
type ExecOptions struct {
	// Cmd is the command and its arguments; required.
	Cmd []string
	// Env holds KEY=VALUE overrides of the container's environment.
	Env []string
	// User is USER[:GROUP], resolved in the container's /etc/passwd.
	User string
	// WorkingDir is an absolute directory in the container.
	WorkingDir string
	// Interactive passes Stdin; Tty gives the process a terminal; Detach
	// returns once the process has started (its output is dropped).
	Interactive, Tty, Detach bool
	// Privileged gives the process every capability.
	Privileged bool
	// Stdin, Stdout and Stderr are the user's.
	Stdin, Stdout, Stderr *os.File
	// PreserveFDs passes descriptors 3 to 3+N-1 of pod on to the process.
	PreserveFDs int
}

// Exec runs a new process in the running container target and returns its
// exit code: its own status, 128+N for signal N. A container that is not
// running is a *container.ExitError with 125, a command not found 127, one
// that cannot be invoked 126.
func (h *Host) Exec(ctx context.Context, target string, o ExecOptions) (int, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return 0, err
	}
	rt, err := h.Runtime(ctx)
	if err != nil {
		return 0, err
	}
	cfg := &rec.Config
	if len(o.Cmd) == 0 {
		return 0, container.WithExitCode(125, fmt.Errorf("exec in %s: no command given", cfg.Name))
	}
	if !rec.Running() {
		return 0, container.WithExitCode(125, container.NotRunning(cfg.Name, "start it first with pod start "+cfg.Name))
	}
	if rec.State.Status == container.StatusPaused {
		return 0, container.WithExitCode(125, fmt.Errorf("container %s is paused: unpause it first (pod unpause %s)", cfg.Name, cfg.Name))
	}
	if err := execUserNS(cfg, rt); err != nil {
		return 0, container.WithExitCode(125, err)
	}
	bundle, err := h.Store.ContainerRunDirectory(cfg.ID)
	if err != nil {
		return 0, fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	spec, err := readSpec(bundle)
	if err != nil {
		return 0, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	if err := checkExecCgroup(cfg, spec, h.Rootless); err != nil {
		return 0, container.WithExitCode(125, err)
	}
	proc, err := execProcess(spec, o)
	if err != nil {
		return 0, container.WithExitCode(125, fmt.Errorf("exec in %s: %w", cfg.Name, err))
	}
	// As run does: a missing command is 127 and one that cannot be run
	// 126, with pod's own message (the runtime would say it too late). A
	// command that may live on a volume is left to the runtime to find.
	if err := container.LookPath(spec.Root.Path, proc.Env, proc.Cwd, proc.Args[0]); err != nil &&
		!onUserMount(spec, proc.Env, proc.Cwd, proc.Args[0]) {
		return 0, err
	}
	dir, err := os.MkdirTemp(bundle, "exec-")
	if err != nil {
		return 0, fmt.Errorf("exec in %s: %w", cfg.Name, err)
	}
	defer os.RemoveAll(dir)
	eo := runtime.ExecOptions{Process: proc, Dir: dir, Detach: o.Detach, PreserveFDs: o.PreserveFDs}
	if proc.Terminal {
		return execTTY(ctx, rt, rec, o, eo)
	}
	if !o.Detach {
		eo.Stdout, eo.Stderr = o.Stdout, o.Stderr
		if o.Interactive {
			eo.Stdin = o.Stdin
		}
	}
	return runExec(ctx, rt, rec, o, eo)
}

// runExec starts the runtime's exec, forwards signals to it (it passes
// them on to the process) and maps its end to an exit code.
func runExec(ctx context.Context, rt *runtime.Runtime, rec *container.Record, o ExecOptions, eo runtime.ExecOptions) (int, error) {
	cfg := &rec.Config
	// The runtime stays in pod's process group: keys typed on a terminal
	// reach it directly, so pod does not forward those twice.
	sharedGroup := o.Stdin != nil && term.IsTerminal(int(o.Stdin.Fd()))
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)
	logrus.Debugf("exec %v in container %s with %s", eo.Process.Args, cfg.ID, rt.Path)
	cmd, err := rt.Exec(ctx, cfg.ID, eo)
	if err != nil {
		return 0, container.WithExitCode(125, fmt.Errorf("exec in %s: %w", cfg.Name, err))
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	waitErr := runtime.ForwardSignals(sigs, waited, cmd.Process, sharedGroup, nil)
	code, err := rt.ExecResult(cfg.ID, eo.Dir, waitErr)
	if err != nil {
		return 0, container.WithExitCode(runtime.StartExitCode(err), fmt.Errorf("exec in %s: %w", cfg.Name, err))
	}
	return code, nil
}

// readSpec reads the OCI spec the container was started with.
func readSpec(bundle string) (*specs.Spec, error) {
	b, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err != nil {
		return nil, fmt.Errorf("reading its runtime spec: %w", err)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parsing its runtime spec: %w", err)
	}
	if s.Process == nil || s.Root == nil {
		return nil, fmt.Errorf("its runtime spec has no process or root")
	}
	return &s, nil
}

// execProcess is the container's process with exec's command and
// overrides: environment, user, working directory, capabilities, terminal.
func execProcess(spec *specs.Spec, o ExecOptions) (*specs.Process, error) {
	p := *spec.Process
	p.Args = slices.Clone(o.Cmd)
	p.Terminal = o.Tty && !o.Detach
	p.ConsoleSize = nil
	home := ""
	if o.User != "" {
		u, err := container.ResolveUser(spec.Root.Path, o.User)
		if err != nil {
			return nil, fmt.Errorf("user %s: %w", o.User, err)
		}
		p.User = specs.User{UID: u.UID, GID: u.GID, AdditionalGids: u.AdditionalGids}
		home = u.Home
	}
	p.Env = container.ExecEnv(spec.Process.Env, o.Env, p.Terminal, home)
	if o.WorkingDir != "" {
		if !container.ValidExecWorkdir(o.WorkingDir) {
			return nil, fmt.Errorf("working directory %q is not an absolute path", o.WorkingDir)
		}
		p.Cwd = o.WorkingDir
	}
	if o.Privileged {
		caps, err := runtime.Capabilities(nil, nil, true)
		if err != nil {
			return nil, err
		}
		p.Capabilities = &specs.LinuxCapabilities{Bounding: caps, Effective: slices.Clone(caps), Permitted: slices.Clone(caps)}
	}
	return &p, nil
}

// onUserMount reports whether argv0, looked up like the runtime does
// (relative to cwd with a '/', else in PATH), may be on one of the
// container's volumes or bind mounts, which the root filesystem does not
// show.
func onUserMount(spec *specs.Spec, env []string, cwd, argv0 string) bool {
	var dests []string
	for _, m := range spec.Mounts {
		d := path.Clean(m.Destination)
		if d == "/proc" || d == "/dev" || d == "/sys" || strings.HasPrefix(d, "/proc/") ||
			strings.HasPrefix(d, "/dev/") || strings.HasPrefix(d, "/sys/") ||
			d == "/etc/hosts" || d == "/etc/hostname" || d == "/etc/resolv.conf" {
			continue
		}
		dests = append(dests, d)
	}
	var candidates []string
	if strings.Contains(argv0, "/") {
		candidates = []string{path.Join(cwd, argv0)}
	} else {
		p := container.DefaultPath
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, "PATH="); ok {
				p = v
			}
		}
		for _, dir := range strings.Split(p, ":") {
			candidates = append(candidates, path.Join(cwd, dir, argv0))
		}
	}
	for _, c := range candidates {
		for _, d := range dests {
			if c == d || strings.HasPrefix(c, d+"/") || d == "/" {
				return true
			}
		}
	}
	return false
}
