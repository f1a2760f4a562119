package monitor

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
)

// executeTTY runs a container with a terminal that pod holds itself: the
// runtime sends the PTY master over a console socket and exits once the
// container started; pod, its child subreaper, copies the user's stdio to
// and from the PTY, follows the window size and reaps the container. This
// works whether or not pod itself has a terminal.
func executeTTY(ctx context.Context, rec *container.Record, bundle string, o RunOptions) (int, error) {
	cfg := &rec.Config
	rt := o.Runtime
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("becoming the subreaper of %s: %w", cfg.Name, err)
	}
	console, err := newConsoleSocket()
	if err != nil {
		return 0, err
	}
	defer console.Close()
	sigs := make(chan os.Signal, 32)
	signal.Notify(sigs)
	defer signal.Stop(sigs)

	pidFile := filepath.Join(bundle, "pid")
	logrus.Debugf("running container %s with %s and a terminal", cfg.ID, rt.Path)
	if err := rt.RunDetached(ctx, cfg.ID, bundle, console.path, pidFile); err != nil {
		_ = rt.Delete(context.Background(), cfg.ID, true)
		return 0, &ExitError{Code: startExitCode(err), Err: fmt.Errorf("running container %s: %w", cfg.Name, err)}
	}
	defer func() { _ = rt.Delete(context.Background(), cfg.ID, true) }()
	master, err := console.receive(10 * time.Second)
	if err != nil {
		return 0, fmt.Errorf("receiving the terminal of %s: %w", cfg.Name, err)
	}
	defer master.Close()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, fmt.Errorf("reading the pid of %s: %w", cfg.Name, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("reading the pid of %s: %w", cfg.Name, err)
	}
	tm := newTerminal(master, o.Stdin, o.Stdout, cfg.Interactive)
	defer tm.restore()
	if err := rec.UpdateState(func(s *container.State) {
		s.Status, s.Pid, s.StartedAt, s.Runtime, s.Error = container.StatusRunning, pid, time.Now().UTC(), rt.Name, ""
		s.MonitorPid = os.Getpid()
	}); err != nil {
		logrus.Warnf("recording the start of %s: %v", cfg.Name, err)
	}
	tm.start()
	exited := make(chan error, 1)
	go func() { exited <- waitPid(pid) }()
	proc, _ := os.FindProcess(pid)
	// With a PTY the terminal's keys reach the container as bytes, so every
	// signal pod gets is forwarded.
	err = forwardLoop(sigs, exited, proc, false, tm.resize)
	code := err.(exitStatus).code
	tm.drain(2 * time.Second)
	tm.restore()
	logrus.Debugf("container %s exited with %d", cfg.ID, code)
	return code, recordExit(rec, code)
}

// exitStatus carries a reaped process's exit code through forwardLoop.
type exitStatus struct{ code int }

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// waitPid reaps pid (a child of pod, its subreaper) and returns its exit
// status as an exitStatus: the code, or 128+N for signal N.
func waitPid(pid int) error {
	for {
		var ws unix.WaitStatus
		_, err := unix.Wait4(pid, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			// Not our child: wait until it is gone.
			for unix.Kill(pid, 0) == nil {
				time.Sleep(20 * time.Millisecond)
			}
			return exitStatus{0}
		}
		switch {
		case ws.Exited():
			return exitStatus{ws.ExitStatus()}
		case ws.Signaled():
			return exitStatus{128 + int(ws.Signal())}
		}
	}
}
