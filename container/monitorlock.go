package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// monitorLockFile is held (flock) by whoever manages a container: its
// monitor, from before the record says running until the monitor has
// cleaned up; the command starting it until the monitor takes over; the
// one removing or repairing it from its check to the delete. The kernel
// drops the lock when its holder dies, so a record that says running
// while nobody holds the lock is stale.
const monitorLockFile = "monitor.lock"

// ErrAlreadyManaged: another process holds the container's monitor lock.
var ErrAlreadyManaged = errors.New("container is already running")

// MonitorLock is a held monitor lock of one container. It lives as long as
// any process holds its file open: a command hands File to the monitor it
// starts (an inherited fd) and then closes its own copy. It is never
// unlocked explicitly: that would drop it for the monitor too.
type MonitorLock struct{ f *os.File }

// TryLockMonitor takes r's monitor lock without waiting; ErrAlreadyManaged
// when another process holds it.
func (r *Record) TryLockMonitor() (*MonitorLock, error) {
	f, err := os.OpenFile(filepath.Join(r.Dir, monitorLockFile), os.O_RDWR|os.O_CREATE|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", r.Config.Name, err)
	}
	if err := flockNB(f); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("container %s: %w", r.Config.Name, ErrAlreadyManaged)
		}
		return nil, fmt.Errorf("locking container %s: %w", r.Config.Name, err)
	}
	return &MonitorLock{f: f}, nil
}

// LockMonitor waits up to timeout for r's monitor lock.
func (r *Record) LockMonitor(ctx context.Context, timeout time.Duration) (*MonitorLock, error) {
	deadline := time.Now().Add(timeout)
	for {
		l, err := r.TryLockMonitor()
		if err == nil || !errors.Is(err, ErrAlreadyManaged) {
			return l, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("container %s: still managed after %v: %w", r.Config.Name, timeout, ErrBusy)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// AdoptMonitorLock is the monitor's side: the lock it inherited as f.
func AdoptMonitorLock(f *os.File) *MonitorLock { return &MonitorLock{f: f} }

// File is the lock's open file, to hand to a monitor.
func (l *MonitorLock) File() *os.File { return l.f }

// Close closes this process's copy of the lock (the lock goes with the
// last copy).
func (l *MonitorLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// MonitorAlive reports whether a process (a monitor, a command starting
// or removing the container) holds r's monitor lock.
func (r *Record) MonitorAlive() bool {
	f, err := os.OpenFile(filepath.Join(r.Dir, monitorLockFile), os.O_RDWR|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := flockNB(f); err != nil {
		return errors.Is(err, unix.EWOULDBLOCK)
	}
	_ = unix.Flock(int(f.Fd()), unix.LOCK_UN)
	return false
}

func flockNB(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

// Stale reports whether r says running, paused, restarting or being
// started (a MonitorPid is recorded from the start until the monitor has
// cleaned up) while no monitor manages it any more: it was killed, or the
// machine rebooted.
func (r *Record) Stale() bool {
	return r.needsRepair() && !r.MonitorAlive()
}

// needsRepair: the state says a monitor manages r.
func (r *Record) needsRepair() bool {
	s := r.State
	return s.Status == StatusRunning || s.Status == StatusPaused || s.Restarting || s.MonitorPid != 0
}

// Active reports whether a monitor still manages r: it runs, or waits to
// restart, or is cleaning up after the last exit.
func (r *Record) Active() bool {
	return r.Running() || r.MonitorAlive()
}
