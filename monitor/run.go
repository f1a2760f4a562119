package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/term"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// RunOptions are what a foreground run needs besides the record.
type RunOptions struct {
	Runtime  *runtime.Runtime
	Rootless bool
	// Stdin, Stdout and Stderr are the user's; Stdin is passed to the
	// container only with -i.
	Stdin, Stdout, Stderr *os.File
}

// ExitError is a container that could not be started: 126 when its command
// cannot be invoked, 127 when it is not found, 125 otherwise.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is Docker's exit code for the failure.
func (e *ExitError) ExitCode() int { return e.Code }

// Run runs the container in the foreground and returns its exit code: the
// process's own status, or 128+N when signal N ended it.
func Run(ctx context.Context, st storage.Store, rec *container.Record, img *container.ImageConfig, o RunOptions) (int, error) {
	cfg := &rec.Config
	logrus.Debugf("mounting container %s", cfg.ID)
	rootfs, err := st.Mount(cfg.ID, "")
	if err != nil {
		return 0, fmt.Errorf("mounting the root filesystem of %s: %w", cfg.Name, err)
	}
	mounted := true
	unmount := func() {
		if mounted {
			if _, err := st.Unmount(cfg.ID, false); err != nil {
				logrus.Warnf("unmounting %s: %v", cfg.Name, err)
			}
			mounted = false
		}
	}
	defer unmount()
	bundle, err := st.ContainerRunDirectory(cfg.ID)
	if err != nil {
		return 0, fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	if err := os.MkdirAll(bundle, 0o700); err != nil {
		return 0, err
	}
	spec, err := prepare(rec, img, rootfs, bundle, o.Rootless)
	if err != nil {
		_ = rec.UpdateState(func(s *container.State) { s.Error = err.Error() })
		return 0, err
	}
	code, err := execute(ctx, rec, bundle, spec.Process.Terminal, o)
	if err != nil {
		_ = rec.UpdateState(func(s *container.State) {
			s.Error = err.Error()
			s.Status = container.StatusExited
			s.ExitCode = exitCodeOf(err)
		})
		return 0, err
	}
	unmount()
	return code, nil
}

func exitCodeOf(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 125
}

// prepare resolves the user, command, environment and working directory,
// writes /etc files and the OCI spec into the bundle.
func prepare(rec *container.Record, img *container.ImageConfig, rootfs, bundle string, rootless bool) (*specs.Spec, error) {
	cfg := &rec.Config
	u, err := container.ResolveUser(rootfs, container.UserSpec(cfg, img))
	if err != nil {
		return nil, &ExitError{Code: 125, Err: fmt.Errorf("container %s of image %s: %w", cfg.Name, cfg.Image, err)}
	}
	args, err := container.Command(cfg, img)
	if err != nil {
		return nil, &ExitError{Code: 125, Err: fmt.Errorf("container %s: %w", cfg.Name, err)}
	}
	hostname := container.Hostname(cfg)
	env := container.Environment(cfg, img, hostname, u)
	cwd := container.WorkingDir(cfg, img)
	if err := makeWorkdir(rootfs, cwd, u); err != nil {
		return nil, &ExitError{Code: 125, Err: fmt.Errorf("container %s: creating working directory %s: %w", cfg.Name, cwd, err)}
	}
	if err := container.LookPath(rootfs, env, cwd, args[0]); err != nil {
		return nil, err
	}
	files, err := writeEtcFiles(bundle, hostname, cfg.NetworkMode)
	if err != nil {
		return nil, err
	}
	spec, err := runtime.Spec(cfg, runtime.SpecOptions{
		Rootfs: rootfs, Rootless: rootless,
		HostsFile: files.hosts, HostnameFile: files.hostname, ResolvConfFile: files.resolv,
		User: u, ProcessArgs: args, Env: env, Cwd: cwd, CgroupV2: runtime.IsCgroupV2(),
	})
	if err != nil {
		return nil, &ExitError{Code: 125, Err: fmt.Errorf("container %s: %w", cfg.Name, err)}
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	if err := storage.WriteFileAtomic(filepath.Join(bundle, "config.json"), b, 0o600); err != nil {
		return nil, err
	}
	return spec, nil
}

func makeWorkdir(rootfs, cwd string, u container.ExecUser) error {
	p, err := securejoin.SecureJoin(rootfs, cwd)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", cwd)
		}
		return nil
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return err
	}
	return os.Lchown(p, int(u.UID), int(u.GID))
}

type etcFiles struct{ hosts, hostname, resolv string }

func writeEtcFiles(bundle, hostname, network string) (etcFiles, error) {
	f := etcFiles{
		hosts:    filepath.Join(bundle, "hosts"),
		hostname: filepath.Join(bundle, "hostname"),
		resolv:   filepath.Join(bundle, "resolv.conf"),
	}
	hosts := "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + hostname + "\n"
	if network == "host" {
		if b, err := os.ReadFile("/etc/hosts"); err == nil {
			hosts = string(b)
		}
	}
	resolv, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		resolv = nil
	}
	for _, w := range []struct {
		path string
		data []byte
	}{{f.hosts, []byte(hosts)}, {f.hostname, []byte(hostname + "\n")}, {f.resolv, resolv}} {
		if err := os.WriteFile(w.path, w.data, 0o644); err != nil {
			return f, fmt.Errorf("writing %s: %w", w.path, err)
		}
	}
	return f, nil
}

// execute runs the container through the runtime's `run`, with the user's
// stdio (the runtime holds the PTY with -t, in raw mode, following the
// window size), forwards signals, and records start and exit.
func execute(ctx context.Context, rec *container.Record, bundle string, tty bool, o RunOptions) (int, error) {
	if tty {
		return executeTTY(ctx, rec, bundle, o)
	}
	cfg := &rec.Config
	rt := o.Runtime
	null, err := os.Open(os.DevNull)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	stdinTerm := term.IsTerminal(int(o.Stdin.Fd()))
	// A container reading the terminal must stay in its foreground process
	// group; otherwise it gets its own, and terminal signals reach it only
	// through pod (once, not twice).
	sharedGroup := cfg.Interactive && stdinTerm
	ro := runtime.RunOptions{
		PidFile: filepath.Join(bundle, "pid"),
		Stdin:   null, Stdout: o.Stdout, Stderr: o.Stderr,
		NewProcessGroup: !sharedGroup,
	}
	if cfg.Interactive {
		ro.Stdin = o.Stdin
	}
	_ = os.Remove(ro.PidFile)
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)

	logrus.Debugf("running container %s with %s", cfg.ID, rt.Path)
	cmd, err := rt.Run(ctx, cfg.ID, bundle, ro)
	if err != nil {
		return 0, &ExitError{Code: 125, Err: fmt.Errorf("running container %s: %w", cfg.Name, err)}
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	stop := make(chan struct{})
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		recordStart(rec, ro.PidFile, rt.Name, stop)
	}()
	waitErr := forwardLoop(sigs, waited, cmd.Process, sharedGroup, nil)
	close(stop)
	<-recorded
	code, err := rt.RunResult(cfg.ID, bundle, waitErr)
	logrus.Debugf("container %s exited with %d", cfg.ID, code)
	if err != nil {
		return 0, &ExitError{Code: startExitCode(err), Err: fmt.Errorf("running container %s: %w", cfg.Name, err)}
	}
	return code, recordExit(rec, code)
}

// recordExit writes the exit into the record; a container about to be
// removed (--rm) skips that.
func recordExit(rec *container.Record, code int) error {
	if rec.Config.AutoRemove {
		return nil
	}
	return rec.UpdateState(func(s *container.State) {
		s.Status, s.ExitCode, s.FinishedAt, s.Pid = container.StatusExited, code, time.Now().UTC(), 0
	})
}

// recordStart waits for the runtime's pid file and records the container
// as running, until stop is closed (the runtime has exited).
func recordStart(rec *container.Record, pidFile, runtimeName string, stop <-chan struct{}) {
	for delay := time.Millisecond; ; delay = min(delay*2, 20*time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				err := rec.UpdateState(func(s *container.State) {
					s.Status, s.Pid, s.StartedAt, s.Runtime, s.Error = container.StatusRunning, pid, time.Now().UTC(), runtimeName, ""
					s.MonitorPid = os.Getpid()
				})
				if err != nil {
					logrus.Warnf("recording the start of %s: %v", rec.Config.Name, err)
				}
				return
			}
		}
		select {
		case <-stop:
			return
		case <-time.After(delay):
		}
	}
}

// forwardLoop passes signals to the runtime, which passes them to the
// container, until the runtime exits. SIGINT and SIGQUIT are left to the
// terminal when the container shares pod's process group (it got them
// already); SIGWINCH goes to winch, if any.
func forwardLoop(sigs chan os.Signal, waited chan error, p *os.Process, sharedGroup bool, winch func()) error {
	for {
		select {
		case err := <-waited:
			return err
		case s := <-sigs:
			sig, ok := s.(syscall.Signal)
			if !ok {
				continue
			}
			switch sig {
			case syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPIPE:
				continue
			case syscall.SIGWINCH:
				if winch != nil {
					winch()
				}
				continue
			case syscall.SIGINT, syscall.SIGQUIT:
				if sharedGroup {
					continue
				}
			}
			_ = p.Signal(sig)
		}
	}
}

// startExitCode maps a runtime's refusal to Docker's codes.
func startExitCode(err error) int {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory") && strings.Contains(msg, "exec"):
		return 127
	case strings.Contains(msg, "permission denied") && strings.Contains(msg, "exec"):
		return 126
	}
	return 125
}
