package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// StartOptions say how the CLI starts a container's monitor.
type StartOptions struct {
	Runtime  *runtime.Runtime
	Rootless bool
	// RuntimeDir is pod's runtime directory ($XDG_RUNTIME_DIR/pod).
	RuntimeDir string
	// GraphRoot, RunRoot and Driver are the store's, for the monitor's
	// cleanup.
	GraphRoot, RunRoot, Driver string
	LogLevel                   string
	// Stdio attaches the user: nil starts the container detached (Start
	// returns once it runs); otherwise the monitor writes the container's
	// output to these too, passes Stdin with -i, and the caller waits with
	// Handle.Wait.
	Stdio *Stdio
}

// Stdio are the user's standard streams for an attached run.
type Stdio struct{ Stdin, Stdout, Stderr *os.File }

// Handle is a started monitor.
type Handle struct {
	// Pid is the container's process (0 when it exited before it was seen).
	Pid int
	// MonitorPid is the monitor's.
	MonitorPid int

	st       storage.Store
	rec      *container.Record
	cmd      *exec.Cmd
	ctrl     *os.File
	dec      *json.Decoder
	lock     *os.File
	sigs     chan os.Signal
	termFd   int
	oldState *term.State
	// pending is an exit that came before the start was seen.
	pending *message
}

// Start prepares a created or exited container (mount, OCI spec), starts
// its monitor in its own session and waits for the container to run. A
// container that cannot start is an *ExitError (125, 126 or 127).
func Start(ctx context.Context, st storage.Store, rec *container.Record, img *container.ImageConfig, o StartOptions) (h *Handle, err error) {
	cfg := &rec.Config
	lock, err := rec.HoldMonitorLock()
	if err != nil {
		return nil, &ExitError{Code: 125, Err: err}
	}
	h = &Handle{st: st, rec: rec, lock: lock, termFd: -1}
	bundle, err := st.ContainerRunDirectory(cfg.ID)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	if err := os.MkdirAll(bundle, 0o700); err != nil {
		lock.Close()
		return nil, err
	}
	if o.Stdio != nil {
		h.sigs = make(chan os.Signal, 32)
		signal.Notify(h.sigs)
		h.makeRaw(cfg, o.Stdio)
	}
	nc := netContext{cacheDir: netCacheDir(o, bundle), st: st}
	netEnv, err := planNetwork(cfg, bundle, nc)
	if err != nil {
		h.release(false)
		return nil, err
	}
	// The monitor starts while the root filesystem is mounted and the
	// spec written: its start-up (and its network's) overlaps that work.
	if err := h.spawn(bundle, o, netEnv); err != nil {
		h.release(false)
		return nil, err
	}
	rootfs, err := st.Mount(cfg.ID, "")
	if err != nil {
		h.abort(false)
		return nil, fmt.Errorf("mounting the root filesystem of %s: %w", cfg.Name, err)
	}
	if _, err := prepareNet(rec, img, rootfs, bundle, o.Rootless, nc); err != nil {
		h.abort(true)
		_ = rec.UpdateState(func(s *container.State) { s.Error = err.Error() })
		return nil, err
	}
	rc := roleConfig{
		Dir: rec.Dir, Bundle: bundle, OCI: o.Runtime.Handle(),
		GraphRoot: o.GraphRoot, RunRoot: o.RunRoot, Driver: o.Driver,
		RuntimeDir: o.RuntimeDir, Attached: o.Stdio != nil,
		Health: container.EffectiveHealth(cfg, img), LogLevel: o.LogLevel,
	}
	// From here the record names its monitor: should it die before the
	// container is recorded as running, the record is found stale.
	if err := rec.UpdateState(func(s *container.State) {
		s.StoppedByUser, s.Error, s.Restarting, s.MonitorPid = false, "", false, h.MonitorPid
	}); err != nil {
		h.abort(true)
		return nil, err
	}
	if err := send(h.ctrl, message{Type: msgStart, Start: &rc}); err != nil {
		h.abort(true)
		return nil, fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	return h, h.awaitStart(o.Stdio != nil)
}

// spawn starts the monitor process; it waits for the start message.
func (h *Handle) spawn(bundle string, o StartOptions, netEnv string) error {
	cfg := &h.rec.Config
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding pod's own executable: %w", err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	h.ctrl = os.NewFile(uintptr(fds[0]), "monitor-control")
	child := os.NewFile(uintptr(fds[1]), "monitor-control")
	defer child.Close()
	h.dec = json.NewDecoder(h.ctrl)
	logFile, err := os.OpenFile(filepath.Join(bundle, "monitor.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	defer logFile.Close()
	extra := []*os.File{child, h.lock}
	if o.Stdio != nil {
		extra = append(extra, o.Stdio.Stdin, o.Stdio.Stdout, o.Stdio.Stderr)
	}
	h.cmd = &exec.Cmd{
		Path:        self,
		Args:        []string{Arg0, cfg.ID},
		Env:         append(os.Environ(), "POD_ROLE="+Role),
		Dir:         "/",
		Stdout:      logFile,
		Stderr:      logFile,
		ExtraFiles:  extra,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if netEnv != "" {
		h.cmd.Env = append(h.cmd.Env, netEnv)
	}
	if err := h.cmd.Start(); err != nil {
		h.ctrl.Close()
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	h.MonitorPid = h.cmd.Process.Pid
	return nil
}

// awaitStart reads the monitor's answer to start.
func (h *Handle) awaitStart(attached bool) error {
	cfg := &h.rec.Config
	m, err := receive(h.dec)
	if err != nil {
		_ = h.cmd.Wait()
		h.cleanup()
		h.release(true)
		return &ExitError{Code: 125, Err: fmt.Errorf("the monitor of %s exited before the container started (see %s)", cfg.Name, "monitor.log in its run directory")}
	}
	switch m.Type {
	case msgStarted:
		h.Pid = m.Pid
		if !attached {
			// The monitor holds the lock from now on; never unlock it here.
			h.release(true)
			_ = h.cmd.Process.Release()
		}
		return nil
	case msgExited:
		// Attached: it ran and exited before the start was seen.
		h.pending = &m
		return nil
	case msgError:
		_ = h.cmd.Wait()
		h.cleanup()
		h.release(true)
		return &ExitError{Code: m.Code, Err: errors.New(m.Message)}
	}
	return fmt.Errorf("the monitor of %s: unexpected %q", cfg.Name, m.Type)
}

// Wait forwards the signals pod gets to the container until it exits,
// then cleans up (unmount) and returns its exit code. Attached runs only.
func (h *Handle) Wait(ctx context.Context) (int, error) {
	cfg := &h.rec.Config
	defer h.release(true)
	got := make(chan message, 1)
	go func() {
		if h.pending != nil {
			got <- *h.pending
			return
		}
		m, err := receive(h.dec)
		if err != nil {
			m = message{Type: "gone"}
		}
		got <- m
	}()
	for {
		select {
		case s := <-h.sigs:
			sig, ok := s.(syscall.Signal)
			if !ok || sig == syscall.SIGCHLD || sig == syscall.SIGURG || sig == syscall.SIGPIPE {
				continue
			}
			_ = h.cmd.Process.Signal(sig)
		case m := <-got:
			h.restoreTerm()
			switch {
			case m.Type == msgExited && m.Restarting:
				_ = h.cmd.Process.Release()
				return m.Code, nil
			case m.Type == msgExited:
				_ = send(h.ctrl, message{Type: msgAck})
				_ = h.cmd.Wait()
				h.cleanup()
				return m.Code, nil
			}
			_ = h.cmd.Wait()
			return 0, &ExitError{Code: 125, Err: fmt.Errorf("the monitor of %s died while the container ran", cfg.Name)}
		}
	}
}

// abort stops a monitor that was not sent start (it exits at EOF).
func (h *Handle) abort(mounted bool) {
	if h.cmd != nil {
		h.ctrl.Close()
		_ = h.cmd.Wait()
	}
	if mounted {
		h.cleanup()
	}
	h.release(false)
}

// cleanup unmounts the root filesystem after the monitor has gone.
func (h *Handle) cleanup() {
	if _, err := h.st.Unmount(h.rec.Config.ID, false); err != nil {
		logrus.Warnf("unmounting %s: %v", h.rec.Config.Name, err)
	}
}

// release lets go of the CLI's side: signals, terminal, socket and lock.
func (h *Handle) release(closeCtrl bool) {
	h.restoreTerm()
	if h.sigs != nil {
		signal.Stop(h.sigs)
	}
	if closeCtrl && h.ctrl != nil {
		h.ctrl.Close()
	}
	if h.lock != nil {
		h.lock.Close()
		h.lock = nil
	}
}

// makeRaw puts the user's terminal in raw mode for -it; the monitor
// copies it to and from the container's PTY.
func (h *Handle) makeRaw(cfg *container.Config, s *Stdio) {
	if !cfg.Tty || !cfg.Interactive || !term.IsTerminal(int(s.Stdin.Fd())) {
		return
	}
	if st, err := term.MakeRaw(int(s.Stdin.Fd())); err == nil {
		h.termFd, h.oldState = int(s.Stdin.Fd()), st
	}
}

func (h *Handle) restoreTerm() {
	if h.oldState != nil {
		_ = term.Restore(h.termFd, h.oldState)
		h.oldState = nil
	}
}
