package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/procid"
)

// StopOptions say how long Stop waits before it kills: Timeout seconds
// (nil: the container's --stop-timeout, else 10; negative: forever).
type StopOptions struct {
	Timeout *int
	// Shutdown stops as the end of a session does: unless-stopped
	// containers are not recorded as stopped by the user.
	Shutdown bool
}

// killWait is how long stop keeps killing a container that does not go.
const killWait = 30 * time.Second

// Stop stops target the Docker way (its stop signal, then SIGKILL once the
// grace period is over) and returns once its monitor has recorded the exit
// and cleaned up. A container that does not run is left as it is.
func (h *Host) Stop(ctx context.Context, target string, o StopOptions) error {
	rec, err := h.loadAny(ctx, target)
	if err != nil {
		return err
	}
	if !rec.Active() {
		return nil
	}
	if err := h.stop(ctx, rec, rec.StopSignal(), rec.StopTimeout(o.Timeout), o.Shutdown); err != nil {
		return err
	}
	h.containerEvent("stop", rec, nil)
	return nil
}

// Kill sends sig to target's process; its restart policy does not bring
// it back.
func (h *Host) Kill(ctx context.Context, target string, sig syscall.Signal) error {
	rec, err := h.loadAny(ctx, target)
	if err != nil {
		return err
	}
	if !rec.Running() && !(blind(rec) && rec.MonitorAlive()) {
		return fmt.Errorf("cannot kill container %s: it is not running: %w", rec.Config.Name, container.ErrNotRunning)
	}
	if err := rec.MarkStopped(false); err != nil {
		return err
	}
	if err := h.signal(ctx, rec, sig); err != nil {
		return err
	}
	h.containerEvent("kill", rec, map[string]string{"signal": strconv.Itoa(int(sig))})
	return nil
}

// Wait blocks until cond holds for target and returns its exit code.
func (h *Host) Wait(ctx context.Context, target string, cond container.WaitCondition) (int, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return 0, err
	}
	return rec.Wait(ctx, cond)
}

// stop marks rec stopped by the user (so its monitor does not restart
// it; atShutdown as the end of a session), sends sig, and after grace SIGKILL (again, should a start have been
// under way), until no monitor manages it.
func (h *Host) stop(ctx context.Context, rec *container.Record, sig syscall.Signal, grace time.Duration, atShutdown bool) error {
	if !rec.Active() {
		return nil
	}
	mon := rec.State.Monitor()
	if err := h.stopActive(ctx, rec, sig, grace, atShutdown); err != nil {
		return err
	}
	waitMonitorGone(ctx, mon)
	return nil
}

// waitMonitorGone waits, up to killWait, for the monitor id to end. A --rm
// container's monitor removes its record (which ends the wait for it)
// before it exits, and under a unit that monitor is the main process: an
// ExecStop= returning before it ended would have systemd kill it, and the
// unit fail.
func waitMonitorGone(ctx context.Context, id procid.ID) {
	if !id.Known() || id.PID == os.Getpid() {
		return
	}
	deadline := time.Now().Add(killWait)
	for id.Alive() && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(pollInterval)
	}
}

// stopActive is stop of a container a monitor manages.
func (h *Host) stopActive(ctx context.Context, rec *container.Record, sig syscall.Signal, grace time.Duration, atShutdown bool) error {
	// A damaged record does not say whether the container runs: the
	// runtime is asked to signal it whatever the record says.
	noState := blind(rec)
	if err := rec.MarkStopping(atShutdown); err != nil {
		return err
	}
	if rec.Running() || noState {
		if err := h.signal(ctx, rec, sig); err != nil && !errors.Is(err, container.ErrNotRunning) && !noState {
			return err
		}
	}
	if waitInactive(ctx, rec, grace) {
		return nil
	}
	deadline := time.Now().Add(killWait)
	for n := 0; ; n++ {
		_ = rec.Reload()
		if !rec.Active() {
			return nil
		}
		if noState && n%50 == 0 {
			_ = h.signal(ctx, rec, syscall.SIGKILL)
		}
		if rec.Running() {
			if !rec.State.StoppedByUser {
				_ = rec.MarkStopped(atShutdown)
			}
			if err := h.signal(ctx, rec, syscall.SIGKILL); err != nil && !errors.Is(err, container.ErrNotRunning) {
				return err
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("container %s did not stop: its monitor still runs (pid %d)", rec.Config.Name, rec.State.MonitorPid)
		}
		time.Sleep(pollInterval)
	}
}

// blind reports whether rec's state cannot tell whether it runs.
func blind(rec *container.Record) bool {
	return rec.Damage != nil || rec.State.Status == container.StatusUnknown
}

// signal sends sig to rec's init process through the OCI runtime, which
// checks that the process is still the container's. A container whose
// process is gone is ErrNotRunning.
func (h *Host) signal(ctx context.Context, rec *container.Record, sig syscall.Signal) error {
	rt, err := h.Runtime(ctx)
	if err != nil {
		return err
	}
	if err := rt.Kill(ctx, rec.Config.ID, sig, false); err != nil {
		if !rec.Running() || blind(rec) {
			return fmt.Errorf("container %s: %w", rec.Config.Name, container.ErrNotRunning)
		}
		return fmt.Errorf("signalling container %s: %w", rec.Config.Name, err)
	}
	return nil
}

// pollInterval is how often waiting calls re-read a record.
const pollInterval = 10 * time.Millisecond

// waitInactive waits up to timeout until no monitor manages rec.
func waitInactive(ctx context.Context, rec *container.Record, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		_ = rec.Reload()
		if !rec.Active() {
			return true
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return false
		}
		time.Sleep(pollInterval)
	}
}
