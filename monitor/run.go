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
	"golang.org/x/sys/unix"
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

// execute creates and starts the container, holds its terminal or stdio,
// forwards signals and waits for its exit.
func execute(ctx context.Context, rec *container.Record, bundle string, tty bool, o RunOptions) (int, error) {
	cfg := &rec.Config
	rt := o.Runtime
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("becoming the subreaper of %s: %w", cfg.Name, err)
	}
	stdinTerm := term.IsTerminal(int(o.Stdin.Fd()))
	create := runtime.CreateOptions{
		PidFile: filepath.Join(bundle, "pid"),
		// Signals from the terminal would reach a container in pod's process
		// group twice (directly and forwarded): give it its own group unless
		// it reads the terminal without a PTY of its own.
		NewProcessGroup: !(cfg.Interactive && !tty && stdinTerm),
	}
	var console *consoleSocket
	if tty {
		var err error
		if console, err = newConsoleSocket(); err != nil {
			return 0, err
		}
		defer console.Close()
		create.ConsoleSocket = console.path
	} else {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		create.Stdin, create.Stdout, create.Stderr = null, o.Stdout, o.Stderr
		if cfg.Interactive {
			create.Stdin = o.Stdin
		}
	}
	// Catch signals before the container exists, so none is lost.
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)

	if err := rt.Create(ctx, cfg.ID, bundle, create); err != nil {
		_ = rt.Delete(context.Background(), cfg.ID, true)
		return 0, &ExitError{Code: startExitCode(err), Err: fmt.Errorf("creating container %s: %w", cfg.Name, err)}
	}
	pid, err := readPid(create.PidFile)
	if err != nil {
		_ = rt.Delete(context.Background(), cfg.ID, true)
		return 0, err
	}
	var tm *terminal
	if tty {
		master, err := console.receive(10 * time.Second)
		if err != nil {
			_ = rt.Delete(context.Background(), cfg.ID, true)
			return 0, fmt.Errorf("receiving the terminal of %s: %w", cfg.Name, err)
		}
		tm = newTerminal(master, o.Stdin, o.Stdout, cfg.Interactive)
		defer tm.restore()
	}
	if err := rec.UpdateState(func(s *container.State) {
		s.Status, s.Pid, s.StartedAt, s.Runtime, s.Error = container.StatusRunning, pid, time.Now().UTC(), rt.Name, ""
		s.MonitorPid = os.Getpid()
	}); err != nil {
		_ = rt.Delete(context.Background(), cfg.ID, true)
		return 0, err
	}
	if err := rt.Start(ctx, cfg.ID); err != nil {
		_ = rt.Delete(context.Background(), cfg.ID, true)
		return 0, &ExitError{Code: startExitCode(err), Err: fmt.Errorf("starting container %s: %w", cfg.Name, err)}
	}
	if tm != nil {
		tm.start()
	}
	done := make(chan int, 1)
	go func() { done <- waitPid(pid) }()
	var code int
	forwardLoop(sigs, done, pid, &code, tm, o.Stdin, stdinTerm && !tty && cfg.Interactive)
	if tm != nil {
		tm.drain(2 * time.Second)
		tm.restore()
	}
	if err := rt.Delete(context.Background(), cfg.ID, true); err != nil {
		logrus.Debugf("deleting runtime state of %s: %v", cfg.Name, err)
	}
	if err := rec.UpdateState(func(s *container.State) {
		s.Status, s.ExitCode, s.FinishedAt, s.Pid = container.StatusExited, code, time.Now().UTC(), 0
	}); err != nil {
		return code, err
	}
	return code, nil
}

// forwardLoop passes signals to the container until it exits. SIGINT and
// SIGQUIT are left to the terminal when the container shares pod's process
// group (it got them already).
func forwardLoop(sigs chan os.Signal, done chan int, pid int, code *int, t *terminal, stdin *os.File, sharedGroup bool) {
	for {
		select {
		case c := <-done:
			*code = c
			return
		case s := <-sigs:
			sig, ok := s.(syscall.Signal)
			if !ok {
				continue
			}
			switch sig {
			case syscall.SIGCHLD, syscall.SIGURG, syscall.SIGPIPE:
				continue
			case syscall.SIGWINCH:
				if t != nil {
					t.resize()
				}
				continue
			case syscall.SIGINT, syscall.SIGQUIT:
				if sharedGroup {
					continue
				}
			}
			_ = unix.Kill(pid, sig)
		}
	}
}

// waitPid reaps the container's init (our child since runc create exited
// and pod is a subreaper) and returns its exit code.
func waitPid(pid int) int {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// Not our child (should not happen): poll until it is gone.
			for unix.Kill(pid, 0) == nil {
				time.Sleep(50 * time.Millisecond)
			}
			return 0
		}
		switch {
		case ws.Exited():
			return ws.ExitStatus()
		case ws.Signaled():
			return 128 + int(ws.Signal())
		}
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading the container's pid file: %w", err)
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
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
