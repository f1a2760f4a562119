package userns

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

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
	if pid := readPid(m.PauseFile()); pid > 0 && IsPause(pid, os.Getuid()) {
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && err != unix.ESRCH {
			return fmt.Errorf("ending pause process %d: %w", pid, err)
		}
	}
	if err := os.Remove(m.PauseFile()); err != nil && !os.IsNotExist(err) {
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
		b, err := os.ReadFile(filepath.Join(m.MonitorsDir(), ent.Name()))
		if err != nil {
			continue
		}
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && isMonitor(pid, os.Getuid(), id) {
			n++
		}
	}
	return n
}

// readPid reads a PID file; 0 when it is missing or malformed.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
