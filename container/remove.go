package container

import (
	"context"
	"errors"
	"fmt"
	"time"

	cstorage "go.podman.io/storage"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/storage"
)

// Deleter removes a container's state from the OCI runtime, killing what
// is left of it (the runtime checks that the process is still the
// container's); the runtime package implements it.
type Deleter interface {
	Delete(ctx context.Context, id string, force bool) error
}

// DestroyOptions say what goes with a container besides its storage.
type DestroyOptions struct {
	// Runtime clears what the OCI runtime keeps of the container; nil
	// skips that.
	Runtime Deleter
	// Volumes removes what the container leaves that others may not
	// use (its anonymous volumes); nil keeps them.
	Volumes func(cfg *Config) error
}

// Destroy deletes the container r, whose monitor lock the caller holds
// (so no monitor manages it and none can start): what is left of its
// processes is killed (only if they are still the ones recorded), the
// runtime's state cleared, its root filesystem unmounted, the storage
// container and the record deleted, then o.Volumes called. This is the
// one place a container record is deleted; a record that is gone
// already is success.
func Destroy(ctx context.Context, st storage.Store, r *Record, lock *MonitorLock, o DestroyOptions) error {
	if lock == nil || lock.f == nil {
		return fmt.Errorf("removing container %s: its monitor lock is not held", r.Config.Name)
	}
	if _, err := st.Container(r.Config.ID); errors.Is(err, cstorage.ErrContainerUnknown) {
		return nil
	}
	if o.Runtime != nil && r.mayHaveRuntimeState() {
		_ = o.Runtime.Delete(ctx, r.Config.ID, true)
	}
	_ = r.State.Init().Kill(10 * time.Second)
	if err := Remove(st, r.Config.ID); err != nil {
		return err
	}
	if o.Volumes != nil {
		return o.Volumes(&r.Config)
	}
	return nil
}

// mayHaveRuntimeState reports whether the OCI runtime may still keep
// state of r: not once its monitor recorded a clean exit (the runtime's
// run deletes its own state, and the monitor deletes it after a -t run),
// nor for a container never started. Skipping the runtime there keeps a
// runtime call off every pod run --rm.
func (r *Record) mayHaveRuntimeState() bool {
	s := r.State
	switch {
	case r.Damage != nil, s.Restarting:
		return true
	case s.Status == StatusExited:
		return false
	case s.Status == StatusCreated || s.Status == "":
		return s.MonitorPid != 0
	}
	return true
}

// Running reports whether the record says running and its init process is
// still the one recorded. A record of an earlier pod (a PID without start
// time) is trusted only while a monitor holds its lock.
func (r *Record) Running() bool {
	if r.State.Status != StatusRunning && r.State.Status != StatusPaused {
		return false
	}
	id := r.State.Init()
	if id.Known() {
		return id.Alive()
	}
	return id.PID > 0 && unix.Kill(id.PID, 0) == nil && r.MonitorAlive()
}

// Remove deletes the storage container and its record, unmounting first.
// Callers other than Destroy are the ones that hold a container no
// monitor ever ran (a build step's working container).
func Remove(st storage.Store, id string) error {
	if n, err := st.Mounted(id); err == nil && n > 0 {
		if _, err := st.Unmount(id, true); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) && !errors.Is(err, cstorage.ErrLayerUnknown) {
			return fmt.Errorf("unmounting container %s: %w", ShortID(id), err)
		}
	}
	err := storage.WithReserve(st.GraphRoot(), func() error { return st.DeleteContainer(id) })
	if err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) {
		return fmt.Errorf("removing container %s: %w", ShortID(id), err)
	}
	return nil
}
