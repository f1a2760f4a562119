package lifecycle

import (
	"context"
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
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/userns"
)

// handle is a container's monitor as the CLI that started it sees it.
type handle struct {
	// pid is the container's process (0 when it exited before it was
	// seen); monitorPid the monitor's.
	pid, monitorPid int

	h        *Host
	rec      *container.Record
	cmd      *exec.Cmd
	ctrlFile *os.File
	ctrl     *protocol.Conn
	lock     *container.MonitorLock
	sigs     chan os.Signal
	termFd   int
	oldState *term.State
	// pending is an exit that came before the start was seen.
	pending *protocol.Message
	// detachKeys were typed: the relay closed it (Detachable runs);
	// relayW, the monitor's stdin, stays open after that until pod exits.
	detachKeys chan struct{}
	relayW     *os.File
}

// startMonitor prepares a created or exited container (mount, OCI spec),
// starts its monitor in its own session and waits for the container to
// run. The caller holds the container's monitor lock, which goes to the
// monitor. With stdio the user is attached: the caller waits with wait. A
// container that cannot start is a *container.ExitError (125, 126, 127).
// extra are pod's files the container's process gets as its 3 onwards
// (--preserve-fds).
func (h *Host) startMonitor(ctx context.Context, rec *container.Record, lock *container.MonitorLock, img *container.ImageConfig, stdio *Stdio, extra ...*os.File) (*handle, error) {
	cfg := &rec.Config
	rt, err := h.Runtime(ctx)
	if err != nil {
		lock.Close()
		return nil, err
	}
	mh := &handle{h: h, rec: rec, lock: lock, termFd: -1}
	bundle, err := h.Store.ContainerRunDirectory(cfg.ID)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("container %s: %w", cfg.Name, err)
	}
	if err := os.MkdirAll(bundle, 0o700); err != nil {
		lock.Close()
		return nil, err
	}
	if stdio != nil {
		mh.sigs = make(chan os.Signal, 32)
		if !stdio.NoSigProxy {
			signal.Notify(mh.sigs)
		}
		mh.makeRaw(cfg, stdio)
	}
	nc := netContext{cacheDir: netCacheDir(h.RuntimeDir, bundle), st: h.Store, notify: h.NotifySocket != "" && cfg.SdNotify == "", version: h.Version}
	if nc.version == "" {
		nc.version = "unknown"
	}
	var netEnv string
	if len(cfg.Networks) > 0 {
		netEnv, err = h.planLinks(rec, bundle)
	} else {
		netEnv, err = planNetwork(cfg, bundle, &nc, h.warn)
	}
	if err != nil {
		mh.release(false)
		return nil, err
	}
	if err := leaveDelegatedCgroup(cfg, h.Rootless); err != nil {
		mh.release(false)
		return nil, err
	}
	// The monitor starts while the root filesystem is mounted and the
	// spec written: its start-up (and its network's) overlaps that work.
	stdio, relay, err := mh.relayInput(cfg, stdio)
	if err != nil {
		mh.release(false)
		return nil, err
	}
	err = mh.spawn(bundle, stdio, netEnv, extra)
	relay()
	if err != nil {
		mh.release(false)
		return nil, err
	}
	rootfs := cfg.Rootfs
	if rootfs == "" {
		if rootfs, err = h.Store.Mount(cfg.ID, ""); err != nil {
			mh.abort(false)
			return nil, fmt.Errorf("mounting the root filesystem of %s: %w", cfg.Name, err)
		}
	}
	if cfg.IDMap != nil && !cfg.IDMap.MapsOwner() {
		if err := reachRootfs(rootfs, h.Store.GraphRoot()); err != nil {
			mh.abort(true)
			return nil, fmt.Errorf("container %s: %w", cfg.Name, err)
		}
	}
	if _, err := prepareNet(rec, img, rootfs, bundle, h.Rootless, nc); err != nil {
		mh.abort(true)
		_ = rec.UpdateState(func(s *container.State) { s.Error = err.Error() })
		return nil, err
	}
	start := protocol.Start{
		Version: protocol.Version, Dir: rec.Dir, Bundle: bundle, Runtime: rt.Handle(),
		GraphRoot: h.Store.GraphRoot(), RunRoot: h.Store.RunRoot(), Driver: h.Driver,
		RuntimeDir: h.RuntimeDir, NoEvents: h.Events == nil, Attached: stdio != nil, Detachable: mh.detachKeys != nil,
		Health: container.EffectiveHealth(cfg, img), LogLevel: h.LogLevel,
		NotifySocket: h.NotifySocket, PreserveFDs: len(extra),
	}
	// From here the record names its monitor: should it die before the
	// container is recorded as running, the record is found stale.
	monitor, _ := procid.Of(mh.monitorPid)
	if err := rec.UpdateState(func(s *container.State) {
		s.StoppedByUser, s.StoppedAtShutdown, s.Error, s.Restarting, s.Stopping = false, false, "", false, false
		s.SetMonitor(monitor)
	}); err != nil {
		mh.abort(true)
		return nil, err
	}
	if err := mh.ctrl.Send(protocol.Message{Start: &start}); err != nil {
		mh.abort(true)
		return nil, fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	if err := mh.awaitStart(stdio != nil); err != nil {
		return mh, err
	}
	h.containerEvent("start", rec, nil)
	return mh, nil
}

// spawn starts the monitor process; it waits for the start message.
func (mh *handle) spawn(bundle string, stdio *Stdio, netEnv string, preserved []*os.File) error {
	cfg := &mh.rec.Config
	exe, err := userns.Helper()
	if err != nil {
		return err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	mh.ctrlFile = os.NewFile(uintptr(fds[0]), "monitor-control")
	child := os.NewFile(uintptr(fds[1]), "monitor-control")
	defer child.Close()
	mh.ctrl = protocol.NewConn(mh.ctrlFile)
	logFile, err := os.OpenFile(filepath.Join(bundle, "monitor.log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	defer logFile.Close()
	// The order is the protocol's: FdControl, FdLock, then the user's stdio.
	extra := []*os.File{child, mh.lock.File()}
	if stdio != nil {
		extra = append(extra, stdio.Stdin, stdio.Stdout, stdio.Stderr)
	} else if len(preserved) > 0 {
		// The preserved files come at FdPreserved, after the stdio slots.
		null, err := os.Open(os.DevNull)
		if err != nil {
			return err
		}
		defer null.Close()
		extra = append(extra, null, null, null)
	}
	extra = append(extra, preserved...)
	mh.cmd = &exec.Cmd{
		Path:        exe,
		Args:        []string{protocol.Arg0, cfg.ID},
		Env:         append(os.Environ(), protocol.RoleEnv+"="+protocol.Role),
		Dir:         "/",
		Stdout:      logFile,
		Stderr:      logFile,
		ExtraFiles:  extra,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if netEnv != "" {
		mh.cmd.Env = append(mh.cmd.Env, netEnv)
	}
	if err := mh.cmd.Start(); err != nil {
		mh.ctrlFile.Close()
		return fmt.Errorf("starting the monitor of %s: %w", cfg.Name, err)
	}
	mh.monitorPid = mh.cmd.Process.Pid
	return nil
}

// awaitStart reads the monitor's answer to start.
func (mh *handle) awaitStart(attached bool) error {
	cfg := &mh.rec.Config
	m, err := mh.ctrl.WaitFor(protocol.KindStarted, protocol.KindExited, protocol.KindError)
	if err != nil {
		_ = mh.cmd.Wait()
		mh.unmount()
		mh.release(true)
		return container.WithExitCode(125, fmt.Errorf("the monitor of %s exited before the container started (see monitor.log in its run directory): %w", cfg.Name, err))
	}
	switch {
	case m.Started != nil:
		mh.pid = m.Started.Pid
		if !attached {
			// The monitor holds the lock from now on; never unlock it here.
			mh.release(true)
			_ = mh.cmd.Process.Release()
		}
		return nil
	case m.Exited != nil:
		// Attached: it ran and exited before the start was seen.
		mh.pending = &m
		return nil
	}
	_ = mh.cmd.Wait()
	mh.unmount()
	mh.release(true)
	return container.WithExitCode(m.Error.Code, errors.New(m.Error.Message))
}

// wait forwards the signals pod gets to the container until it exits,
// then cleans up (unmount) and returns its exit code. Attached runs only.
func (mh *handle) wait(ctx context.Context) (int, error) {
	cfg := &mh.rec.Config
	defer mh.release(true)
	got := make(chan protocol.Message, 1)
	go func() {
		if mh.pending != nil {
			got <- *mh.pending
			return
		}
		m, err := mh.ctrl.WaitFor(protocol.KindExited, protocol.KindDetached)
		if err != nil {
			m = protocol.Message{}
		}
		got <- m
	}()
	for {
		select {
		case <-mh.detachKeys:
			mh.detachKeys = nil
			if err := mh.ctrl.Send(protocol.Message{Detach: &protocol.Detach{}}); err != nil {
				logrus.Debugf("detaching from %s: %v", cfg.Name, err)
			}
		case s := <-mh.sigs:
			sig, ok := s.(syscall.Signal)
			if !ok || sig == syscall.SIGCHLD || sig == syscall.SIGURG || sig == syscall.SIGPIPE {
				continue
			}
			_ = mh.cmd.Process.Signal(sig)
		case m := <-got:
			mh.restoreTerm()
			switch {
			case m.Exited != nil && m.Exited.Restarting:
				_ = mh.cmd.Process.Release()
				return m.Exited.Code, nil
			case m.Detached != nil:
				// The monitor runs on with the container and cleans up.
				_ = mh.cmd.Process.Release()
				return 0, ErrDetached
			case m.Exited != nil:
				_ = mh.ctrl.Send(protocol.Message{Ack: &protocol.Ack{}})
				_ = mh.cmd.Wait()
				mh.unmount()
				return m.Exited.Code, nil
			}
			_ = mh.cmd.Wait()
			return 0, container.WithExitCode(125, fmt.Errorf("the monitor of %s died while the container ran", cfg.Name))
		}
	}
}

// abort stops a monitor that was not sent start (it exits at EOF).
func (mh *handle) abort(mounted bool) {
	if mh.cmd != nil {
		mh.ctrlFile.Close()
		_ = mh.cmd.Wait()
	}
	if mounted {
		mh.unmount()
	}
	mh.release(false)
}

// unmount unmounts the root filesystem after the monitor has gone.
func (mh *handle) unmount() {
	if mh.rec.Config.Rootfs != "" {
		return
	}
	if _, err := mh.h.Store.Unmount(mh.rec.Config.ID, false); err != nil {
		logrus.Warnf("unmounting %s: %v", mh.rec.Config.Name, err)
	}
}

// release lets go of the CLI's side: signals, terminal, socket and lock.
func (mh *handle) release(closeCtrl bool) {
	mh.restoreTerm()
	if mh.sigs != nil {
		signal.Stop(mh.sigs)
	}
	if closeCtrl && mh.ctrlFile != nil {
		mh.ctrlFile.Close()
	}
	mh.lock.Close()
}

// relayInput is the stdio the monitor gets. With a terminal (-it) and
// detach keys, its stdin is a pipe that pod fills from the user's stdin
// until the keys are typed (mh.detachKeys closes then): a monitor reading
// the user's terminal itself could not stop once the user detached. start
// begins the copy once the monitor has its end.
func (mh *handle) relayInput(cfg *container.Config, s *Stdio) (*Stdio, func(), error) {
	if s == nil || !cfg.Tty || !cfg.Interactive || len(s.DetachKeys) == 0 {
		return s, func() {}, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	mh.detachKeys, mh.relayW = make(chan struct{}), w
	keys, user := mh.detachKeys, s.Stdin
	relayed := *s
	relayed.Stdin = r
	start := func() {
		r.Close()
		go func() {
			scan := detachScanner{keys: s.DetachKeys}
			buf := make([]byte, 4096)
			for {
				n, err := user.Read(buf)
				out, detach := scan.scan(buf[:n])
				if len(out) > 0 {
					if _, werr := w.Write(out); werr != nil {
						return
					}
				}
				if detach {
					// w stays open: the monitor must not see the end of
					// input, which it passes on as Ctrl-D.
					close(keys)
					return
				}
				if err != nil {
					w.Close()
					return
				}
			}
		}()
	}
	return &relayed, start, nil
}

// makeRaw puts the user's terminal in raw mode for -it; the monitor
// copies it to and from the container's PTY.
func (mh *handle) makeRaw(cfg *container.Config, s *Stdio) {
	if !cfg.Tty || !cfg.Interactive || !term.IsTerminal(int(s.Stdin.Fd())) {
		return
	}
	if st, err := term.MakeRaw(int(s.Stdin.Fd())); err == nil {
		mh.termFd, mh.oldState = int(s.Stdin.Fd()), st
	}
}

func (mh *handle) restoreTerm() {
	if mh.oldState != nil {
		_ = term.Restore(mh.termFd, mh.oldState)
		mh.oldState = nil
	}
}
