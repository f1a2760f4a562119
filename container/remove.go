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

// Deleter removes a container's state from the OCI runtime; the runtime
// package implements it.
type Deleter interface {
	Delete(ctx context.Context, id string, force bool) error
}

// DeleteOptions say how Delete treats a running container.
type DeleteOptions struct {
	// Force kills a running container first; without it Delete refuses.
	Force bool
	// Runtime clears what the OCI runtime keeps of a killed container;
	// nil skips that.
	Runtime Deleter
}

// Delete removes one container by ID, prefix or name and returns its full ID.
func Delete(ctx context.Context, st storage.Store, idOrName string, o DeleteOptions) (string, error) {
	r, err := Load(st, idOrName)
	if err != nil {
		return "", err
	}
	if r.Stale() {
		_, _ = r.repair(ctx, st, RepairOptions{Runtime: func() (Deleter, error) {
			if o.Runtime == nil {
				return nil, errors.New("no runtime")
			}
			return o.Runtime, nil
		}})
	}
	if r.Active() {
		if !o.Force {
			return "", fmt.Errorf("container %s is running: stop it first, or remove it with pod rm -f: %w", r.Config.Name, ErrRunning)
		}
		// Stopped by the user: its monitor does not restart it.
		zero := 0
		if err := r.stop(ctx, unix.SIGKILL, &zero); err != nil {
			return "", err
		}
	}
	if err := Remove(st, r.Config.ID); err != nil {
		return "", err
	}
	return r.Config.ID, nil
}

// Running reports whether the record says running and its process lives.
func (r *Record) Running() bool {
	if r.State.Status != StatusRunning && r.State.Status != StatusPaused {
		return false
	}
	return r.State.Pid > 0 && unix.Kill(r.State.Pid, 0) == nil
}

// kill sends SIGKILL to the container's process and waits for it to go.
func (r *Record) kill() error {
	pid := r.State.Pid
	if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("killing container %s: %w", r.Config.Name, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for unix.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			return fmt.Errorf("container %s (pid %d) did not exit after SIGKILL", r.Config.Name, pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Remove deletes the storage container and its record, unmounting first.
func Remove(st storage.Store, id string) error {
	if n, err := st.Mounted(id); err == nil && n > 0 {
		if _, err := st.Unmount(id, true); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) && !errors.Is(err, cstorage.ErrLayerUnknown) {
			return fmt.Errorf("unmounting container %s: %w", ShortID(id), err)
		}
	}
	if err := st.DeleteContainer(id); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) {
		return fmt.Errorf("removing container %s: %w", ShortID(id), err)
	}
	return nil
}
