package lifecycle

import (
	"context"
	"syscall"

	"github.com/pod-project/pod/container"
)

// StopOptions say how long Stop waits before it kills: Timeout seconds
// (nil: the container's --stop-timeout, else 10; negative: forever).
type StopOptions struct {
	Timeout *int
}

// Stop stops target the Docker way (its stop signal, then SIGKILL) and
// returns once its monitor has recorded the exit. A container that does
// not run is left as it is.
func (h *Host) Stop(ctx context.Context, target string, o StopOptions) error {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return err
	}
	return rec.Stop(ctx, o.Timeout)
}

// Kill sends sig to target's process; its restart policy does not bring
// it back.
func (h *Host) Kill(ctx context.Context, target string, sig syscall.Signal) error {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return err
	}
	return rec.Kill(sig)
}

// Wait blocks until cond holds for target and returns its exit code.
func (h *Host) Wait(ctx context.Context, target string, cond container.WaitCondition) (int, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return 0, err
	}
	return rec.Wait(ctx, cond)
}
