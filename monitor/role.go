package monitor

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
	"github.com/pod-project/pod/volumes"
)

// Main is the monitor role: pod re-executed by the CLI (POD_ROLE=monitor)
// in its own session, inside the user namespace. It runs one container
// until it exits for good, then cleans up and exits.
func Main() {
	// A monitor lives as long as its container: keep it small.
	debug.SetGCPercent(25)
	raw := make(chan os.Signal, 32)
	signal.Notify(raw)
	sigs := make(chan os.Signal, 32)
	var current atomic.Pointer[monitor]
	go watchSignals(raw, sigs, &current)
	// What the monitor inherited is its own: never pass it to the runtime
	// and the container (the lock must die with the monitor).
	for fd := protocol.FdControl; fd <= protocol.FdStderr; fd++ {
		syscall.CloseOnExec(fd)
	}
	early := startNetworkEarly()
	ctrlFile := os.NewFile(protocol.FdControl, "control")
	ctrl := protocol.NewConn(ctrlFile)
	m, err := ctrl.WaitFor(protocol.KindStart)
	if err != nil {
		// The CLI went away before it said what to run.
		early.stop()
		os.Exit(1)
	}
	if m.Start.Version != protocol.Version {
		early.stop()
		_ = ctrl.Send(protocol.Message{Error: &protocol.Failed{Code: 125, Message: fmt.Sprintf("monitor protocol %d, the CLI speaks %d: the pod binary changed while it started", protocol.Version, m.Start.Version)}})
		os.Exit(1)
	}
	mon, err := newMonitor(*m.Start, ctrlFile, ctrl, sigs)
	if err != nil {
		early.stop()
		_ = ctrl.Send(protocol.Message{Error: &protocol.Failed{Code: 125, Message: err.Error()}})
		os.Exit(1)
	}
	mon.early = early
	current.Store(mon)
	mon.proxyNotify()
	os.Exit(mon.run())
}

// setAttached records whether a CLI waits for the container's exit.
func (m *monitor) setAttached(a bool) {
	m.attached = a
	m.detached.Store(!a)
}

// watchSignals passes the signals the monitor gets on to out (the
// container's runtime gets them from there), but for a stop from outside:
// SIGTERM, SIGINT or SIGHUP while no CLI is attached is systemd (or a
// user) stopping the unit, which stops the container as pod stop does.
func watchSignals(in <-chan os.Signal, out chan<- os.Signal, mon *atomic.Pointer[monitor]) {
	for s := range in {
		if m := mon.Load(); m != nil && m.detached.Load() && (s == syscall.SIGTERM || s == syscall.SIGINT || s == syscall.SIGHUP) {
			if !m.stoppedOutside.Swap(true) {
				go m.stopFromOutside()
			}
			continue
		}
		out <- s
	}
}

// stopFromOutside records the container as stopped (its restart policy
// leaves it alone, and the monitor ends with 0), sends it its stop signal
// and, after its stop timeout, SIGKILL. The stop counts as a session's end,
// not a user's pod stop: a shutdown's SIGTERM must not keep an
// unless-stopped container down at the next boot.
func (m *monitor) stopFromOutside() {
	rec := &container.Record{Config: m.rec.Config, Dir: m.rec.Dir}
	_ = rec.MarkStopped(true)
	id := rec.Config.ID
	logrus.Debugf("container %s: stopped from outside", rec.Config.Name)
	_ = m.rt.Kill(context.Background(), id, rec.StopSignal(), false)
	time.AfterFunc(rec.StopTimeout(nil), func() {
		_ = m.rt.Kill(context.Background(), id, syscall.SIGKILL, false)
	})
}

// settleAfter is how long a container runs before its monitor settles.
const settleAfter = 500 * time.Millisecond

// settle runs once the container is up: the start-up's garbage goes and
// the pages only start-up used leave the resident set.
func settle() {
	debug.FreeOSMemory()
	trimResident()
}

// monitor is the state of one monitor process.
type monitor struct {
	cfg protocol.Start
	rec *container.Record
	rt  *runtime.Runtime
	// ctrl is the control socket to the CLI (ctrlFile its file).
	ctrlFile *os.File
	ctrl     *protocol.Conn
	sigs     chan os.Signal
	out      *outputs
	att      *attachServer
	input    *inputs
	// attached: the CLI still waits for the exit (it went away otherwise,
	// or detached). attachMu orders a detach against the exit's report.
	attached bool
	attachMu sync.Mutex
	// oom watches the current run's memory cgroup for the OOM killer.
	oom *oomWatch
	// preserved are the files the container's process gets as its 3
	// onwards (--preserve-fds), at every start.
	preserved []*os.File
	// fromCLI carries the CLI's messages while a Detachable run runs
	// (readControl); closed when the CLI is gone.
	fromCLI chan protocol.Message
	// cliCleans: the CLI acknowledged the exit and unmounts/removes itself.
	cliCleans bool
	// started: the CLI got started (or error) already.
	started bool
	pidFile string
	// stopHealth ends the health checks of the current run, and its
	// --timeout's timer.
	healthStop context.CancelFunc
	timeout    *time.Timer
	// forceRestart: --health-on-failure restart killed the container.
	forceRestart atomic.Bool
	// role: this is a monitor process (not a foreground pod run).
	role bool
	// lastCode is the last exit code; startErr why the first start failed.
	lastCode int
	startErr error
	// sharedGroup: a foreground run whose container reads the user's
	// terminal stays in pod's process group (see forwardLoop).
	sharedGroup bool
	// early is the container's network, started before the start message.
	early *earlyNetwork
	// lock is the container's monitor lock, inherited from the CLI and
	// held until the monitor exits.
	lock *container.MonitorLock
	// runtimeProc is the runtime's run process of the current run (none
	// with a terminal: it exits once the container started).
	runtimeProc procid.ID
	// readySent: READY=1 went to systemd (--sdnotify=healthy).
	readySent atomic.Bool
	// stoppedOutside: the monitor itself got SIGTERM, SIGINT or SIGHUP
	// while no CLI was attached (systemd stopping the unit): the
	// container is stopped as by pod stop, and the monitor exits 0.
	stoppedOutside atomic.Bool
	// detached mirrors !attached for the signal watcher.
	detached atomic.Bool
}

func newMonitor(cfg protocol.Start, ctrlFile *os.File, ctrl *protocol.Conn, sigs chan os.Signal) (*monitor, error) {
	rec, err := container.Open(cfg.Dir)
	if err != nil {
		return nil, err
	}
	logrus.SetOutput(os.Stderr)
	logrus.SetFormatter(tagFormatter{tag: "monitor " + container.ShortID(rec.Config.ID) + ": "})
	if lvl, err := logrus.ParseLevel(cfg.LogLevel); err == nil {
		logrus.SetLevel(lvl)
	}
	m := &monitor{cfg: cfg, rec: rec, lock: container.AdoptMonitorLock(os.NewFile(protocol.FdLock, "monitor.lock")), rt: runtime.FromHandle(cfg.Runtime), ctrlFile: ctrlFile, ctrl: ctrl, sigs: sigs, role: true}
	m.setAttached(cfg.Attached)
	var user [3]*os.File
	if cfg.Attached {
		user = [3]*os.File{os.NewFile(protocol.FdStdin, "stdin"), os.NewFile(protocol.FdStdout, "stdout"), os.NewFile(protocol.FdStderr, "stderr")}
	}
	for i := range cfg.PreserveFDs {
		m.preserved = append(m.preserved, os.NewFile(uintptr(protocol.FdPreserved+i), fmt.Sprintf("preserved%d", i)))
	}
	m.setup(user)
	m.pidFile = writeMonitorPid(cfg.RuntimeDir, rec.Config.ID)
	return m, nil
}

// setup opens the log and the attach socket and joins the user's stdio.
func (m *monitor) setup(user [3]*os.File) {
	rec := m.rec
	lw, err := NewLogWriter(rec.LogPath(), rec.Config.LogConfig)
	if err != nil {
		logrus.Warnf("container %s: %v; its output is not logged", rec.Config.Name, err)
		lw = nil
	}
	m.out = newOutputs(lw, user[1], user[2])
	if rec.Config.LogConfig.Driver == container.LogDriverJournald {
		streams, err := newJournalStreams(&rec.Config)
		if err != nil {
			logrus.Warnf("container %s: the journal: %v; its output is not logged", rec.Config.Name, err)
		} else {
			m.out.logs = streams
		}
	}
	m.input = newInputs(rec.Config.Interactive, user[0], user[1])
	// A --rm run the user waits for is never attached to by another
	// client, unless the user can detach from it.
	if !(user[1] != nil && rec.Config.AutoRemove && !m.cfg.Detachable) {
		if m.att, err = listenAttach(m.cfg.RuntimeDir, rec.Config.ID, m.out, m.input); err != nil {
			logrus.Warnf("attach socket: %v", err)
		}
	}
}

// run supervises the container: start, wait, restart as its policy says,
// and clean up. It returns the monitor's own exit status.
func (m *monitor) run() int {
	cfg := &m.rec.Config
	policy, err := container.ParseRestartPolicy(cfg.RestartPolicy)
	if err != nil {
		logrus.Warnf("%v; not restarting", err)
	}
	restarts := m.rec.State.RestartCount
	attempt := 0
	// The network comes up while the runtime sets the container up; the
	// spec's hook holds the container's process until it is ready.
	network := m.early
	for {
		began := time.Now()
		container.ClearExitRecord(m.cfg.Bundle)
		code, err := m.runOnce()
		m.stopHealth()
		oomKilled := m.oom.result(code)
		m.oom = nil
		if err != nil {
			m.fail(err)
			break
		}
		m.lastCode = code
		ranFor := time.Since(began)
		// First where it cannot fail for a full disk, then the state.
		if err := container.WriteExitRecord(m.cfg.Bundle, code, time.Now().UTC()); err != nil {
			logrus.Warnf("recording the exit: %v", err)
		}
		// The exit and whether it restarts are one change: a command that
		// sees the exit sees whether the monitor goes on.
		forcedRestart := m.forceRestart.Swap(false)
		restart := false
		_ = m.rec.UpdateState(func(s *container.State) {
			s.Status, s.ExitCode, s.FinishedAt, s.Stopping = container.StatusExited, code, time.Now().UTC(), false
			s.SetInit(procid.ID{})
			s.OOMKilled = oomKilled
			forced := forcedRestart && !s.StoppedByUser
			restart = (forced || policy.ShouldRestart(code, restarts, s.StoppedByUser)) && !cfg.AutoRemove
			s.Restarting = restart
		})
		m.att.exited(code)
		m.died(code)
		m.reportExit(code, restart)
		if !restart || !m.backoff(container.Backoff(attempt, ranFor)) {
			break
		}
		if ranFor >= container.ResetAfter {
			attempt = 0
		}
		attempt++
		restarts++
		_ = m.rec.UpdateState(func(s *container.State) { s.RestartCount, s.Restarting = restarts, false })
		logrus.Infof("restarting %s (restart %d)", cfg.Name, restarts)
	}
	downAt := time.Now()
	network.stop()
	logrus.Debugf("network down in %v", time.Since(downAt))
	m.cleanup()
	return m.exitCode()
}

// exitCode is the monitor's own exit status, which systemd judges the unit
// by when the monitor is its main process: 0 when the container was
// stopped (pod stop, pod kill, or a signal to the monitor), else the
// container's last exit code (the start's failure code when it could not
// start).
func (m *monitor) exitCode() int {
	switch {
	case m.stoppedOutside.Load(), m.rec.State.StoppedByUser:
		return 0
	case m.startErr != nil:
		return container.ExitCodeOf(m.startErr)
	}
	return m.lastCode
}

// fail reports a container that could not be started: to the CLI on the
// first start, in the record otherwise.
func (m *monitor) fail(err error) {
	logrus.Errorf("%v", err)
	code := container.ExitCodeOf(err)
	_ = m.rec.UpdateState(func(s *container.State) {
		s.Error, s.Status, s.ExitCode, s.Restarting, s.Stopping = err.Error(), container.StatusExited, code, false, false
		s.SetInit(procid.ID{})
		s.SetMonitor(procid.ID{})
		s.FinishedAt = time.Now().UTC()
	})
	if !m.started {
		m.started = true
		m.startErr = err
		if m.ctrl == nil || m.ctrl.Send(protocol.Message{Error: &protocol.Failed{Code: code, Message: err.Error()}}) == nil {
			// The CLI waits for this answer and cleans up itself.
			m.cliCleans = true
		}
		m.setAttached(false)
	}
}

// reportExit tells an attached CLI the exit code; without a restart the
// CLI acknowledges and cleans up itself. With a restart, or when the CLI is
// gone, the monitor goes on alone: it lets the user's stdio go.
func (m *monitor) reportExit(code int, restarting bool) {
	m.attachMu.Lock()
	if !m.attached {
		m.attachMu.Unlock()
		return
	}
	m.setAttached(false)
	err := m.ctrl.Send(protocol.Message{Exited: &protocol.Exited{Code: code, Restarting: restarting}})
	m.attachMu.Unlock()
	if err == nil && !restarting && m.ackFromCLI() {
		m.cliCleans = true
	}
	m.out.dropUser()
	m.input.dropUser()
}

// ackFromCLI waits for the CLI's ack of the exit.
func (m *monitor) ackFromCLI() bool {
	if m.fromCLI == nil {
		_, err := m.ctrl.WaitFor(protocol.KindAck)
		return err == nil
	}
	for msg := range m.fromCLI {
		if msg.Ack != nil {
			return true
		}
	}
	return false
}

// readControl reads the CLI's messages in a Detachable run: a detach lets
// the user's stdio go at once; the rest goes to fromCLI.
func (m *monitor) readControl() {
	defer close(m.fromCLI)
	for {
		msg, err := m.ctrl.Recv()
		if err != nil {
			return
		}
		if msg.Detach == nil {
			m.fromCLI <- msg
			continue
		}
		m.attachMu.Lock()
		if m.attached {
			// The user's stdio first: the CLI exits once told.
			m.setAttached(false)
			m.out.dropUser()
			m.input.dropUser()
			_ = m.ctrl.Send(protocol.Message{Detached: &protocol.Detached{}})
			logrus.Debugf("container %s: the user detached", m.rec.Config.Name)
		}
		m.attachMu.Unlock()
	}
}

// started records the container's process as running and tells the CLI.
func (m *monitor) recordStarted(pid int) {
	// The process as it is now: a PID alone could later name another.
	init, err := procid.Of(pid)
	if err != nil {
		// It exited already; the exit is recorded next.
		init = procid.ID{}
	}
	err = m.rec.UpdateState(func(s *container.State) {
		s.Status, s.StartedAt, s.Runtime, s.Error = container.StatusRunning, time.Now().UTC(), m.rt.Name, ""
		s.SetInit(init)
		s.SetMonitor(procid.Self())
		s.Restarting, s.MonitorProtocol = false, protocol.Version
	})
	if err != nil {
		logrus.Warnf("recording the start: %v", err)
	}
	if err := userns.WriteAnchors(m.cfg.RuntimeDir, m.rec.Config.ID, []procid.ID{m.runtimeProc, init}); err != nil {
		logrus.Warnf("recording the container's processes: %v", err)
	}
	if pid > 0 {
		m.startHealth(pid)
		m.startTimeout(pid)
		m.oom = watchOOM(pid, m.rec.Config.ID)
	}
	m.writePidFiles(pid)
	if !m.started {
		// Before the CLI is told and exits: systemd learns its main
		// process from here.
		m.notifyStarted()
	}
	if !m.started && m.ctrl == nil {
		m.started = true
	}
	if !m.started {
		m.started = true
		if err := m.ctrl.Send(protocol.Message{Started: &protocol.Started{Pid: pid}}); err != nil {
			m.setAttached(false)
		}
		if !m.attached {
			_ = m.ctrlFile.Close()
		} else if m.cfg.Detachable {
			m.fromCLI = make(chan protocol.Message, 4)
			go m.readControl()
		}
		// Short runs end before this: they never pay for it.
		time.AfterFunc(settleAfter, settle)
	}
}

// backoff waits before a restart; a pod stop or a signal to the monitor
// in the meantime cancels the restart.
func (m *monitor) backoff(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case s := <-m.sigs:
			if s == syscall.SIGTERM || s == syscall.SIGINT || s == syscall.SIGHUP {
				return false
			}
		case <-time.After(min(50*time.Millisecond, time.Until(deadline))):
		}
		if err := m.rec.Reload(); err != nil || m.rec.State.StoppedByUser {
			// Stopped by the user, or removed.
			return false
		}
	}
	return true
}

// cleanup ends the monitor's work: runtime state, mounts, --rm, its pid
// file and socket, and the record's last state.
func (m *monitor) cleanup() {
	cfg := &m.rec.Config
	m.att.close()
	m.out.close()
	if m.pidFile != "" {
		_ = os.Remove(m.pidFile)
	}
	userns.RemoveAnchors(m.cfg.RuntimeDir, cfg.ID)
	if !m.cliCleans {
		m.cleanStorage()
	}
	if !cfg.AutoRemove {
		_ = m.rec.UpdateState(func(s *container.State) {
			s.SetMonitor(procid.ID{})
			s.Restarting = false
		})
	}
	logrus.Debugf("monitor of %s done", cfg.Name)
}

// cleanStorage unmounts the root filesystem, and removes a --rm container.
func (m *monitor) cleanStorage() {
	cfg := &m.rec.Config
	st, _, err := storage.Open(storage.Options{GraphRoot: m.cfg.GraphRoot, RunRoot: m.cfg.RunRoot, Driver: m.cfg.Driver, Warn: io.Discard})
	if err != nil {
		logrus.Warnf("opening the storage to clean up: %v", err)
		return
	}
	defer func() { _, _ = st.Shutdown(false) }()
	if cfg.AutoRemove {
		// The monitor holds the lock: the one removal path, as pod rm.
		err := container.Destroy(context.Background(), st, m.rec, m.lock, container.DestroyOptions{
			Runtime: m.rt,
			Volumes: func(cfg *container.Config) error { return volumes.RemoveAnonymous(st, cfg) },
		})
		if err != nil {
			logrus.Warnf("removing %s: %v", cfg.Name, err)
		}
		return
	}
	if cfg.Rootfs != "" {
		return
	}
	if _, err := st.Unmount(cfg.ID, false); err != nil {
		logrus.Warnf("unmounting %s: %v", cfg.Name, err)
	}
}

// MonitorsDir is where monitors keep their PID files (<id>.pid), for the
// user namespace's recovery when the pause process has died.
func MonitorsDir(runtimeDir string) string { return filepath.Join(runtimeDir, "monitors") }

func writeMonitorPid(runtimeDir, id string) string {
	if runtimeDir == "" {
		return ""
	}
	dir := MonitorsDir(runtimeDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		logrus.Warnf("recording the monitor's pid: %v", err)
		return ""
	}
	p := filepath.Join(dir, id+".pid")
	if err := storage.WriteFileAtomicVolatile(p, procid.Self().Marshal(), 0o600); err != nil {
		logrus.Warnf("recording the monitor's pid: %v", err)
		return ""
	}
	return p
}

// tagFormatter prefixes the monitor's log lines with its container.
type tagFormatter struct{ tag string }

func (f tagFormatter) Format(e *logrus.Entry) ([]byte, error) {
	return []byte(fmt.Sprintf("%s %s%s: %s\n", e.Time.Format(time.RFC3339Nano), f.tag, e.Level, e.Message)), nil
}

// died records the container's exit in the events log.
func (m *monitor) died(code int) {
	if m.cfg.NoEvents {
		return
	}
	cfg := &m.rec.Config
	e := events.Event{Type: events.Container, Action: "died", ID: cfg.ID, Name: cfg.Name, Image: cfg.Image, ExitCode: &code, Attributes: cfg.Labels}
	if err := events.Open(m.cfg.RuntimeDir).Write(e); err != nil {
		logrus.Warnf("recording the exit: %v", err)
	}
}
