package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cstorage "go.podman.io/storage"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/storage"
)

// RepairOptions give Repair what it needs besides the store.
type RepairOptions struct {
	// Runtime returns the OCI runtime that clears a dead container's
	// runtime state (delete --force also kills what is left); it is called
	// only when a record is stale. A nil function or an error skips that.
	Runtime func() (Deleter, error)
	// Warn receives what could not be repaired; nil drops it.
	Warn func(format string, a ...any)
	// Removed is called with the Config of each stale --rm container
	// that was removed, for what else goes with it (anonymous volumes).
	Removed func(cfg *Config)
}

// RepairStale fixes the records in recs that say running while their
// monitor is dead: the container's processes are killed, the runtime's
// state deleted, the root filesystem unmounted, and the record marked
// exited (137 when its process was still alive and had to be killed).
// A stale --rm container is removed. It returns the records that remain,
// with their states updated.
func RepairStale(ctx context.Context, st storage.Store, recs []*Record, o RepairOptions) []*Record {
	out := recs[:0]
	for _, r := range recs {
		if !r.Stale() {
			out = append(out, r)
			continue
		}
		removed, err := r.repair(ctx, st, o)
		if err != nil && o.Warn != nil {
			o.Warn("repairing container %s: %v", r.Config.Name, err)
		}
		if removed && err == nil && o.Removed != nil {
			o.Removed(&r.Config)
		}
		if !removed {
			out = append(out, r)
		}
	}
	return out
}

// repair re-checks staleness under the record's lock (the monitor writes
// its last state under that lock before it lets the monitor lock go).
func (r *Record) repair(ctx context.Context, st storage.Store, o RepairOptions) (removed bool, err error) {
	unlock, err := r.Lock()
	if err != nil {
		return false, err
	}
	defer unlock()
	if err := readJSON(filepath.Join(r.Dir, stateFile), &r.State); err != nil {
		return false, err
	}
	if !r.Stale() {
		return false, nil
	}
	code := r.State.ExitCode
	switch r.State.Status {
	case StatusRunning, StatusPaused:
		code = 255
		if r.State.Pid > 0 && unix.Kill(r.State.Pid, 0) == nil {
			code = 137
		}
	case StatusCreated, "":
		// Its start was under way: whatever ran is killed below.
		code = 137
	}
	if o.Runtime != nil {
		if rt, err := o.Runtime(); err == nil {
			_ = rt.Delete(ctx, r.Config.ID, true)
		}
	}
	if r.State.Pid > 0 && unix.Kill(r.State.Pid, 0) == nil {
		_ = r.kill()
	}
	if _, err := st.Unmount(r.Config.ID, true); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) && !errors.Is(err, cstorage.ErrLayerUnknown) {
		return false, fmt.Errorf("unmounting: %w", err)
	}
	if r.Config.AutoRemove {
		return true, Remove(st, r.Config.ID)
	}
	s := &r.State
	s.Status, s.ExitCode, s.Pid, s.MonitorPid, s.Restarting = StatusExited, code, 0, 0, false
	if s.FinishedAt.IsZero() || s.FinishedAt.Before(s.StartedAt) {
		s.FinishedAt = time.Now().UTC()
	}
	if s.Error == "" {
		s.Error = "the container's monitor died"
	}
	return false, r.writeState()
}

// Open reads the record kept in dir (a container directory), for the
// monitor, which has no store open.
func Open(dir string) (*Record, error) {
	r := &Record{Dir: dir}
	if err := readJSON(filepath.Join(dir, configFile), &r.Config); err != nil {
		return nil, fmt.Errorf("reading the container in %s: %w", dir, err)
	}
	if err := readJSON(filepath.Join(dir, stateFile), &r.State); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("reading the container in %s: %w", dir, err)
	}
	return r, nil
}

// Reload re-reads r's state from disk.
func (r *Record) Reload() error {
	return readJSON(filepath.Join(r.Dir, stateFile), &r.State)
}
