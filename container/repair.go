package container

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
)

// RepairOptions give Repair what it needs besides the store.
type RepairOptions struct {
	// Runtime returns the OCI runtime that clears a dead container's
	// runtime state (delete --force also kills what is left, after
	// checking it is the container's); it is called only when a record is
	// stale. A nil function or an error skips that.
	Runtime func() (Deleter, error)
	// Warn receives what could not be repaired; nil drops it.
	Warn func(format string, a ...any)
	// Volumes is DestroyOptions.Volumes for the stale --rm containers
	// Repair removes.
	Volumes func(cfg *Config) error
	// Remove chooses stale records to remove rather than mark exited
	// (--rm ones always are); nil chooses none.
	Remove func(r *Record) bool
}

// RepairStale fixes the records in recs that say running while their
// monitor is dead: what is left of the container's processes is killed
// (only processes that are still the ones recorded: after a reboot, or
// once a PID was reused, nobody is signalled), the runtime's state
// deleted, the root filesystem unmounted, and the record marked exited
// (137 when its process was still alive and had to be killed). A stale
// --rm container, and one o.Remove chooses, is removed. It returns the records that remain, with
// their states updated.
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
		if !removed {
			out = append(out, r)
		}
	}
	return out
}

// repair takes the monitor lock (a monitor that holds it manages the
// container: nothing to repair) and re-checks the state under it.
func (r *Record) repair(ctx context.Context, st storage.Store, o RepairOptions) (removed bool, err error) {
	lock, err := r.TryLockMonitor()
	if errors.Is(err, ErrAlreadyManaged) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer lock.Close()
	if err := r.Reload(); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return true, nil
		}
		return false, err
	}
	if !r.needsRepair() {
		return false, nil
	}
	var rt Deleter
	if o.Runtime != nil {
		rt, _ = o.Runtime()
	}
	if r.Config.AutoRemove || (o.Remove != nil && o.Remove(r)) {
		return true, Destroy(ctx, st, r, lock, DestroyOptions{Runtime: rt, Volumes: o.Volumes})
	}
	init := r.State.Init()
	code := r.State.ExitCode
	switch r.State.Status {
	case StatusRunning, StatusPaused:
		code = 255
		if init.Alive() {
			code = 137
		}
	case StatusCreated, "":
		// Its start was under way: whatever ran is killed below.
		code = 137
	}
	// The monitor may have seen the exit and not recorded it in the state
	// (a full disk); it wrote it into the run directory first.
	var exit *ExitRecord
	if dir, err := st.ContainerRunDirectory(r.Config.ID); err == nil {
		if x, ok := ReadExitRecord(dir); ok && !x.FinishedAt.Before(r.State.StartedAt) {
			exit, code = &x, x.Code
		}
	}
	if rt != nil {
		_ = rt.Delete(ctx, r.Config.ID, true)
	}
	_ = init.Kill(10 * time.Second)
	if _, err := st.Unmount(r.Config.ID, true); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) && !errors.Is(err, cstorage.ErrLayerUnknown) {
		return false, fmt.Errorf("unmounting: %w", err)
	}
	return false, r.UpdateState(func(s *State) {
		s.Status, s.ExitCode, s.Restarting, s.Stopping = StatusExited, code, false, false
		s.SetInit(procid.ID{})
		s.SetMonitor(procid.ID{})
		switch {
		case exit != nil:
			s.FinishedAt = exit.FinishedAt
		case s.FinishedAt.IsZero() || s.FinishedAt.Before(s.StartedAt):
			s.FinishedAt = time.Now().UTC()
		}
		if s.Error == "" && exit == nil {
			s.Error = "the container's monitor died"
		}
	})
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
