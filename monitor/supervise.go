package monitor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/runtime"
)

// runOnce runs the container once, to its exit, and returns its code (its
// own status, 128+N for signal N). An error means it could not start.
func (m *monitor) runOnce() (int, error) {
	if m.rec.Config.Tty {
		return m.runOnceTTY()
	}
	cfg := &m.rec.Config
	bundle := m.cfg.Bundle
	pidFile := filepath.Join(bundle, "pid")
	_ = os.Remove(pidFile)
	outR, outW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return 0, err
	}
	stdin, err := m.input.containerStdin()
	if err != nil {
		return 0, err
	}
	logrus.Debugf("running %s with %s", cfg.ID, m.rt.Path)
	cmd, err := m.rt.Run(context.Background(), cfg.ID, bundle, runtime.RunOptions{
		PidFile: pidFile, Stdin: stdin, Stdout: outW, Stderr: errW, NewProcessGroup: !m.sharedGroup, ExtraFiles: m.preserved,
	})
	outW.Close()
	errW.Close()
	m.input.started()
	m.runtimeProc = procid.ID{}
	if err == nil {
		m.runtimeProc, _ = procid.Of(cmd.Process.Pid)
	}
	if err != nil {
		outR.Close()
		errR.Close()
		return 0, container.WithExitCode(125, fmt.Errorf("running container %s: %w", cfg.Name, err))
	}
	var copies sync.WaitGroup
	copies.Add(2)
	go func() { defer copies.Done(); m.out.copyFrom("stdout", outR) }()
	go func() { defer copies.Done(); m.out.copyFrom("stderr", errR) }()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	stop := make(chan struct{})
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		if pid := runtime.WaitPidFile(pidFile, stop); pid > 0 {
			m.recordStarted(pid)
		}
	}()
	waitErr := m.forward(waited, cmd.Process, nil)
	close(stop)
	<-recorded
	waitCopies(&copies, 2*time.Second)
	outR.Close()
	errR.Close()
	code, err := m.rt.RunResult(cfg.ID, bundle, waitErr)
	if err != nil {
		return 0, container.WithExitCode(runtime.StartExitCode(err), fmt.Errorf("running container %s: %w", cfg.Name, err))
	}
	if !m.started {
		// It ran and exited before its pid file was seen.
		m.recordStarted(0)
	}
	logrus.Debugf("%s exited with %d", cfg.ID, code)
	return code, nil
}

// forward passes the signals the monitor gets to p (the runtime, or the
// container with a terminal) until waited yields; SIGWINCH resizes.
func (m *monitor) forward(waited chan error, p *os.Process, winch func()) error {
	return runtime.ForwardSignals(m.sigs, waited, p, m.sharedGroup, winch)
}

func waitCopies(wg *sync.WaitGroup, timeout time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(timeout):
	}
}

// runOnceTTY runs the container with a PTY the monitor holds: the runtime
// sends the master over a console socket and exits once the container has
// started; the monitor, its child subreaper, reaps the container.
func (m *monitor) runOnceTTY() (int, error) {
	cfg := &m.rec.Config
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		return 0, fmt.Errorf("becoming the subreaper of %s: %w", cfg.Name, err)
	}
	console, err := runtime.NewConsoleSocket()
	if err != nil {
		return 0, err
	}
	defer console.Close()
	pidFile := filepath.Join(m.cfg.Bundle, "pid")
	_ = os.Remove(pidFile)
	_ = m.rt.Delete(context.Background(), cfg.ID, true)
	if err := m.rt.RunDetached(context.Background(), cfg.ID, m.cfg.Bundle, console.Path, pidFile, m.preserved...); err != nil {
		_ = m.rt.Delete(context.Background(), cfg.ID, true)
		return 0, container.WithExitCode(runtime.StartExitCode(err), fmt.Errorf("running container %s: %w", cfg.Name, err))
	}
	defer func() { _ = m.rt.Delete(context.Background(), cfg.ID, true) }()
	master, err := console.Receive(10 * time.Second)
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
	resize := func() { m.input.resizeFromUser(master) }
	resize()
	copied := make(chan struct{})
	go func() { m.out.copyFrom("stdout", master); close(copied) }()
	m.input.attachTerminal(master)
	m.recordStarted(pid)
	exited := make(chan error, 1)
	go func() { exited <- runtime.WaitPid(pid) }()
	proc, _ := os.FindProcess(pid)
	err = m.forward(exited, proc, resize)
	code := err.(runtime.ExitStatus).Code
	m.input.detachTerminal()
	select {
	case <-copied:
	case <-time.After(2 * time.Second):
	}
	return code, nil
}
