package userns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
)

// StopPause ends the user's pause process for `pod system migrate`, so the
// next call creates a namespace from the current /etc/subuid and
// /etc/subgid. It waits (up to timeout) for the monitors to be gone first:
// a live monitor would otherwise carry the old namespace over.
func StopPause(m Mode, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for liveMonitors(m) > 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("containers still have live monitors after %s: stop them (pod stop --all) and run pod system migrate again", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
	unlock, err := storage.Lock(filepath.Join(m.RuntimeDir, "pause.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	// Inside the namespace the user's processes show as uid 0.
	if id, ok := pauseID(m); ok && IsPause(id.PID, os.Getuid()) {
		if err := signalRecorded(id, unix.SIGKILL); err != nil {
			return fmt.Errorf("ending pause process %d: %w", id.PID, err)
		}
	}
	for _, f := range []string{m.PauseFile(), m.pauseIDFile()} {
		if err := os.Remove(f); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}

// signalRecorded signals a process read from a PID file: only if it is
// still the one recorded; a file of an earlier pod (PID alone) was checked
// by the caller (command line and owner).
func signalRecorded(id procid.ID, sig unix.Signal) error {
	var err error
	if id.Known() {
		err = id.Signal(sig)
	} else {
		err = unix.Kill(id.PID, sig)
	}
	if err != nil && !errors.Is(err, procid.ErrGone) && !errors.Is(err, unix.ESRCH) {
		return err
	}
	return nil
}

// liveMonitors counts the user's monitors that are still running.
func liveMonitors(m Mode) int {
	ents, err := os.ReadDir(m.MonitorsDir())
	if err != nil {
		return 0
	}
	n := 0
	for _, ent := range ents {
		id, ok := strings.CutSuffix(ent.Name(), ".pid")
		if !ok {
			continue
		}
		if _, ok := liveMonitor(filepath.Join(m.MonitorsDir(), ent.Name()), os.Getuid(), id); ok {
			n++
		}
	}
	return n
}
