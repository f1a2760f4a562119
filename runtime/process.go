package runtime

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ForwardSignals passes the signals arriving on sigs to p (the runtime,
// which passes them to the container, or a process pod reaps) until
// waited yields, and returns what it yielded. SIGINT and SIGQUIT are left
// to the terminal when p shares pod's process group (it got them already);
// SIGWINCH goes to winch, if any.
func ForwardSignals(sigs chan os.Signal, waited chan error, p *os.Process, sharedGroup bool, winch func()) error {
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

// StartExitCode maps a runtime's refusal to Docker's codes.
func StartExitCode(err error) int {
	msg := strings.ToLower(err.Error())
	switch {
	case strings.Contains(msg, "executable file not found"), strings.Contains(msg, "no such file or directory") && strings.Contains(msg, "exec"):
		return 127
	case strings.Contains(msg, "permission denied") && strings.Contains(msg, "exec"):
		return 126
	}
	return 125
}

// ExitStatus carries a reaped process's exit code through ForwardSignals.
type ExitStatus struct{ Code int }

func (e ExitStatus) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// WaitPid reaps pid (a child of pod, its subreaper) and returns its exit
// status as an ExitStatus: the code, or 128+N for signal N.
func WaitPid(pid int) error {
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
			return ExitStatus{}
		}
		switch {
		case ws.Exited():
			return ExitStatus{Code: ws.ExitStatus()}
		case ws.Signaled():
			return ExitStatus{Code: 128 + int(ws.Signal())}
		}
	}
}

// WaitPidFile polls the runtime's pid file until it names a process, or
// stop is closed (the runtime exited); 0 then.
func WaitPidFile(pidFile string, stop <-chan struct{}) int {
	for delay := 500 * time.Microsecond; ; delay = min(delay*2, 20*time.Millisecond) {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				return pid
			}
		}
		select {
		case <-stop:
			return 0
		case <-time.After(delay):
		}
	}
}
