package container

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// monitorLockFile is held (flock) by whoever manages a started container:
// its monitor, from before the record says running until the monitor has
// cleaned up. The kernel drops the lock when that process dies, so a
// record that says running while nobody holds the lock is stale.
const monitorLockFile = "monitor.lock"

// ErrAlreadyManaged: another monitor manages the container (it runs).
var ErrAlreadyManaged = errors.New("container is already running")

// HoldMonitorLock takes the monitor lock of r without waiting and returns
// the open lock file. The lock lives as long as any process holds the
// file open: hand it to the monitor (an inherited fd), then close it here.
// Never unlock it explicitly: that would drop it for the monitor too.
func (r *Record) HoldMonitorLock() (*os.File, error) {
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
	return f, nil
}

// MonitorAlive reports whether a monitor (or a foreground pod run) holds
// r's monitor lock.
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
	s := r.State
	if s.Status != StatusRunning && s.Status != StatusPaused && !s.Restarting && s.MonitorPid == 0 {
		return false
	}
	return !r.MonitorAlive()
}

// Active reports whether a monitor still manages r: it runs, or waits to
// restart, or is cleaning up after the last exit.
func (r *Record) Active() bool {
	return r.Running() || r.MonitorAlive()
}
