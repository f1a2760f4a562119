package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/pod-project/pod/container"
)

// RunOptions say how to run a new container: detached (Run returns once
// it runs) or attached to Stdio (Run returns its exit code when it exits).
type RunOptions struct {
	Create CreateOptions
	Detach bool
	// PreserveFDs passes pod's file descriptors 3 to 3+N-1 on to the
	// container's process, as its own 3 onwards (--preserve-fds).
	PreserveFDs uint
	// Stdio is the user's, for an attached run.
	Stdio *Stdio
}

// Run creates a container and starts it. An attached run returns the
// container's exit code; a --rm container is removed once it exits (or
// when it cannot start).
func (h *Host) Run(ctx context.Context, o RunOptions) (*container.Record, int, error) {
	rec, img, err := h.Create(ctx, o.Create)
	if err != nil {
		return nil, 0, err
	}
	if err := h.startRequired(ctx, rec, map[string]bool{rec.Config.ID: true}); err != nil {
		return rec, 0, err
	}
	lock, managed, err := h.lockForStart(ctx, rec)
	if err != nil || managed {
		// Another command got to the new container first (pod start, rm).
		return rec, 0, err
	}
	var extra []*os.File
	for i := range o.PreserveFDs {
		extra = append(extra, os.NewFile(uintptr(3+i), fmt.Sprintf("fd%d", 3+i)))
	}
	if o.Detach {
		return rec, 0, h.startDetached(ctx, rec, lock, img, extra...)
	}
	code, err := h.runAttached(ctx, rec, lock, img, o.Stdio, extra...)
	return rec, code, err
}

// StartOptions say how to start an existing container: Attach joins the
// user's Stdio (Stdin only with Interactive set by the caller) and waits.
type StartOptions struct {
	Attach bool
	Stdio  *Stdio
}

// Start starts the created or exited container target; one that runs
// already is left alone (detached) or refused (attached). Attached, it
// returns the container's exit code.
func (h *Host) Start(ctx context.Context, target string, o StartOptions) (int, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return 0, err
	}
	if !rec.Running() {
		if err := h.startRequired(ctx, rec, map[string]bool{rec.Config.ID: true}); err != nil {
			return 0, err
		}
	}
	lock, managed, err := h.lockForStart(ctx, rec)
	if err != nil {
		return 0, err
	}
	if managed {
		if o.Attach {
			return 0, fmt.Errorf("container %s is already running: use pod attach", rec.Config.Name)
		}
		return 0, nil
	}
	img, err := h.imageConfigOf(rec)
	if err != nil {
		lock.Close()
		return 0, err
	}
	if o.Attach {
		// create --attach's streams.
		stdio := *o.Stdio
		release, err := stdio.Only(rec.Config.AttachStreams)
		if err != nil {
			lock.Close()
			return 0, err
		}
		defer release()
		return h.runAttached(ctx, rec, lock, img, &stdio)
	}
	return 0, h.startDetached(ctx, rec, lock, img)
}

// startLockWait bounds how long a start waits for another command that
// holds the container (starting or removing it) to finish.
const startLockWait = 30 * time.Second

// lockForStart takes rec's monitor lock to start it and re-reads its state
// under the lock. managed is true (and no lock taken) when a monitor
// manages it already. Another command holding the lock only for a moment
// (pod rm, or a start not yet handed to its monitor) is waited for.
func (h *Host) lockForStart(ctx context.Context, rec *container.Record) (lock *container.MonitorLock, managed bool, err error) {
	deadline := time.Now().Add(startLockWait)
	for {
		lock, err := rec.TryLockMonitor()
		if err == nil {
			if err := rec.Reload(); err != nil {
				lock.Close()
				if errors.Is(err, os.ErrNotExist) {
					return nil, false, fmt.Errorf("%w: %s (it was removed)", container.ErrNoSuchContainer, rec.Config.Name)
				}
				return nil, false, err
			}
			return lock, false, nil
		}
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, fmt.Errorf("%w: %s (it was removed)", container.ErrNoSuchContainer, rec.Config.Name)
		}
		if !errors.Is(err, container.ErrAlreadyManaged) {
			return nil, false, err
		}
		_ = rec.Reload()
		if rec.Running() || rec.State.Monitor().Alive() {
			return nil, true, nil
		}
		if time.Now().After(deadline) {
			return nil, false, fmt.Errorf("container %s: another pod command holds it (starting or removing it): %w", rec.Config.Name, container.ErrBusy)
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

// Restart stops target (as Stop does) and starts it again.
func (h *Host) Restart(ctx context.Context, target string, o StopOptions) error {
	if err := h.Stop(ctx, target, o); err != nil {
		return err
	}
	if _, err := h.Start(ctx, target, StartOptions{}); err != nil {
		return err
	}
	if rec, err := h.Load(ctx, target); err == nil {
		h.containerEvent("restart", rec, nil)
	}
	return nil
}

// runAttached starts rec through its monitor with the user's stdio and
// waits for it: pod run without -d, pod start -a.
func (h *Host) runAttached(ctx context.Context, rec *container.Record, lock *container.MonitorLock, img *container.ImageConfig, stdio *Stdio, extra ...*os.File) (int, error) {
	code := 0
	mh, err := h.startMonitor(ctx, rec, lock, img, stdio, extra...)
	if err == nil {
		code, err = mh.wait(ctx)
	}
	if errors.Is(err, ErrDetached) {
		// The monitor cleans up (and removes a --rm container) at the exit.
		return 0, err
	}
	if rec.Config.AutoRemove {
		if rmErr := h.removeExited(ctx, rec); rmErr != nil && err == nil {
			err = fmt.Errorf("removing container %s after it exited: %w", rec.Config.Name, rmErr)
		}
	}
	return code, err
}

// startDetached starts rec through its monitor and returns once it runs.
func (h *Host) startDetached(ctx context.Context, rec *container.Record, lock *container.MonitorLock, img *container.ImageConfig, extra ...*os.File) error {
	_, err := h.startMonitor(ctx, rec, lock, img, nil, extra...)
	if err != nil && rec.Config.AutoRemove {
		_ = h.removeExited(ctx, rec)
	}
	return err
}
