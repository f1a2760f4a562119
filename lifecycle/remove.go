package lifecycle

import (
	"context"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/volumes"
)

// RemoveOptions say how Remove treats a running container and what goes
// with it.
type RemoveOptions struct {
	// Force kills a running container first; without it Remove refuses.
	Force bool
	// Volumes removes the container's anonymous volumes too (rm -v).
	Volumes bool
}

// Remove removes target and returns its full ID.
func (h *Host) Remove(ctx context.Context, target string, o RemoveOptions) (string, error) {
	var cfg *container.Config
	if o.Volumes {
		if r, err := container.Load(h.Store, target); err == nil {
			cfg = &r.Config
		}
	}
	do := container.DeleteOptions{Force: o.Force}
	if o.Force {
		if rt, err := h.Runtime(ctx); err == nil {
			do.Runtime = rt
		}
	}
	id, err := container.Delete(ctx, h.Store, target, do)
	if err != nil || cfg == nil {
		return id, err
	}
	return id, volumes.RemoveAnonymous(h.Store, cfg)
}

// removeExited removes a --rm container after it exited, with its
// anonymous volumes.
func (h *Host) removeExited(_ context.Context, rec *container.Record) error {
	if err := container.Remove(h.Store, rec.Config.ID); err != nil {
		return err
	}
	return volumes.RemoveAnonymous(h.Store, &rec.Config)
}
