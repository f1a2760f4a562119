package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultStopTimeout is Docker's grace period between the stop signal and
// SIGKILL, in seconds.
const DefaultStopTimeout = 10

// pollInterval is how often waiting commands re-read a record.
const pollInterval = 10 * time.Millisecond

// ParseSignal reads a signal as Docker takes it: a number, or a name with or
// without SIG, in any case ("TERM", "sigkill", "9", "SIGRTMIN+3").
func ParseSignal(s string) (syscall.Signal, error) {
	if s == "" {
		return 0, fmt.Errorf("empty signal")
	}
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("invalid signal %q: numbers go from 1 to 64", s)
		}
		return syscall.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if base, off, ok := strings.Cut(name, "+"); ok && (base == "SIGRTMIN") {
		n, err := strconv.Atoi(off)
		if err == nil && n >= 0 && 34+n <= 64 {
			return syscall.Signal(34 + n), nil
		}
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, fmt.Errorf("invalid signal %q: use a name such as TERM or KILL, or a number", s)
}

// StopSignal is the signal pod stop sends first: --stop-signal, the
// image's STOPSIGNAL (copied into the Config at create), else SIGTERM.
func (r *Record) StopSignal() syscall.Signal {
	if r.Config.StopSignal != "" {
		if sig, err := ParseSignal(r.Config.StopSignal); err == nil {
			return sig
		}
	}
	return syscall.SIGTERM
}

// StopTimeout is the grace period of pod stop: timeout when not nil, the
// container's --stop-timeout, else 10 seconds. Negative waits forever.
func (r *Record) StopTimeout(timeout *int) time.Duration {
	t := DefaultStopTimeout
	switch {
	case timeout != nil:
		t = *timeout
	case r.Config.StopTimeout != nil:
		t = *r.Config.StopTimeout
	}
	if t < 0 {
		return time.Duration(1<<62 - 1)
	}
	return time.Duration(t) * time.Second
}

// MarkStopped records that the user stopped the container (pod stop, pod
// kill), so its restart policy leaves it alone, and re-reads its state.
// atShutdown says the stop is the session's end (pod stop --shutdown): an
// unless-stopped container then comes back with pod start --all.
func (r *Record) MarkStopped(atShutdown bool) error {
	return r.UpdateState(func(s *State) { s.StoppedByUser, s.StoppedAtShutdown = true, atShutdown })
}

// MarkStopping records, before pod stop signals, that the container is
// being stopped (and by the user: its restart policy leaves it alone).
func (r *Record) MarkStopping(atShutdown bool) error {
	return r.UpdateState(func(s *State) {
		s.StoppedByUser, s.StoppedAtShutdown = true, atShutdown
		s.Stopping = s.Status == StatusRunning || s.Status == StatusPaused
	})
}

// WaitCondition is what pod wait waits for, as Docker's --condition.
type WaitCondition string

// Docker's wait conditions.
const (
	WaitNotRunning WaitCondition = "not-running"
	WaitNextExit   WaitCondition = "next-exit"
	WaitRemoved    WaitCondition = "removed"
)

// ParseWaitCondition checks a --condition value ("" is not-running).
func ParseWaitCondition(s string) (WaitCondition, error) {
	switch c := WaitCondition(s); c {
	case "":
		return WaitNotRunning, nil
	case WaitNotRunning, WaitNextExit, WaitRemoved:
		return c, nil
	}
	return "", fmt.Errorf("invalid condition %q: use not-running, next-exit or removed", s)
}

// Wait blocks until cond holds for r and returns its exit code.
func (r *Record) Wait(ctx context.Context, cond WaitCondition) (int, error) {
	since := r.State.FinishedAt
	for {
		if err := r.Reload(); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				// Removed: whatever was waited for is over.
				return r.State.ExitCode, nil
			}
			return 0, err
		}
		switch cond {
		case WaitRemoved:
			if _, err := os.Stat(filepath.Join(r.Dir, configFile)); errors.Is(err, os.ErrNotExist) {
				return r.State.ExitCode, nil
			}
		case WaitNextExit:
			if r.State.FinishedAt.After(since) && !r.Running() {
				return r.State.ExitCode, nil
			}
		default:
			// Done and cleaned up, or exited and waiting to be restarted.
			if !r.Active() || (r.State.Restarting && !r.Running()) {
				return r.State.ExitCode, nil
			}
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(pollInterval * 5):
		}
	}
}
