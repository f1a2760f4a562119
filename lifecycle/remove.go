package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/volumes"
)

// RemoveOptions say how Remove treats a running container and what goes
// with it.
type RemoveOptions struct {
	// Force stops a running container first; without it Remove refuses.
	Force bool
	// Time is the stop's grace period in seconds before SIGKILL (nil:
	// SIGKILL at once, as docker rm -f).
	Time *int
	// Volumes removes the container's anonymous volumes too (rm -v).
	Volumes bool
	// Ignore makes a container that does not exist a success.
	Ignore bool
	// Depend removes the containers that require the target (--requires)
	// first; without it Remove refuses while there are any.
	Depend bool
	// fromPod: the removal is the pod's (RemovePod), which alone removes
	// its infra container.
	fromPod bool
}

// removeLockWait bounds how long Remove waits for a stopped container's
// monitor to clean up and let go of the container.
const removeLockWait = 30 * time.Second

// Remove removes target, through the one removal path, and returns its
// full ID ("" for an ignored missing container).
func (h *Host) Remove(ctx context.Context, target string, o RemoveOptions) (string, error) {
	rec, err := container.Load(h.Store, target)
	if err != nil && !errors.Is(err, container.ErrDamaged) {
		if o.Ignore && errors.Is(err, container.ErrNoSuchContainer) {
			return "", nil
		}
		return "", err
	}
	if rec.Damage == nil {
		if err := h.checkInfraRemoval(rec, o); err != nil {
			return rec.Config.ID, err
		}
		if err := h.removeDependents(ctx, rec, o); err != nil {
			return rec.Config.ID, err
		}
	}
	mon := rec.State.Monitor()
	if err := h.remove(ctx, rec, o); err != nil {
		return rec.Config.ID, err
	}
	waitMonitorGone(ctx, mon)
	return rec.Config.ID, nil
}

// remove is the one removal path of a container: it holds the container's
// monitor lock from the check that no monitor manages it to the delete,
// so no start slips in between. A container a monitor manages is refused,
// or with Force stopped first; one that vanishes meanwhile (a --rm
// container exiting) is success, as in Docker. A stale record (its
// monitor died) needs no repair first: Destroy kills what is left.
func (h *Host) remove(ctx context.Context, rec *container.Record, o RemoveOptions) error {
	lock, err := h.lockForRemoval(ctx, rec, o)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer lock.Close()
	if err := rec.Reload(); errors.Is(err, os.ErrNotExist) && rec.Damage == nil {
		return nil
	}
	do := container.DestroyOptions{}
	if rt, err := h.Runtime(ctx); err == nil {
		do.Runtime = rt
	}
	if o.Volumes || rec.Config.AutoRemove {
		do.Volumes = h.removeAnonymousVolumes
	}
	if err := container.Destroy(ctx, h.Store, rec, lock, do); err != nil {
		return err
	}
	h.releaseLinks(&rec.Config)
	h.containerEvent("remove", rec, nil)
	return nil
}

// lockForRemoval takes rec's monitor lock. A container that runs (or
// waits to restart) is refused, or with Force stopped first; a monitor
// that is only cleaning up after the last exit, or a command holding the
// container a moment, is waited for.
func (h *Host) lockForRemoval(ctx context.Context, rec *container.Record, o RemoveOptions) (*container.MonitorLock, error) {
	deadline := time.Now().Add(removeLockWait)
	for {
		lock, err := rec.TryLockMonitor()
		if !errors.Is(err, container.ErrAlreadyManaged) {
			return lock, err
		}
		_ = rec.Reload()
		if rec.Running() || rec.State.Restarting || (blind(rec) && o.Force) {
			if !o.Force {
				return nil, fmt.Errorf("container %s is running: stop it first, or remove it with pod rm -f: %w", rec.Config.Name, container.ErrRunning)
			}
			grace, sig := time.Duration(0), syscall.SIGKILL
			if o.Time != nil {
				sig, grace = rec.StopSignal(), rec.StopTimeout(o.Time)
			}
			if err := h.stop(ctx, rec, sig, grace, false); err != nil {
				return nil, err
			}
			return rec.LockMonitor(ctx, removeLockWait)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("container %s: another pod command holds it: %w", rec.Config.Name, container.ErrBusy)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// removeAnonymousVolumes removes the anonymous volumes of a removed
// container that no other container uses.
func (h *Host) removeAnonymousVolumes(cfg *container.Config) error {
	return volumes.RemoveAnonymous(h.Store, cfg)
}

// removeExited removes a --rm container after it exited (or could not
// start), with its anonymous volumes.
func (h *Host) removeExited(ctx context.Context, rec *container.Record) error {
	return h.remove(ctx, rec, RemoveOptions{Force: true, Volumes: true})
}
