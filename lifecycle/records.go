package lifecycle

import (
	"context"
	"errors"
	"fmt"

	"github.com/pod-project/pod/container"
)

// repairOptions let stale records be repaired with the runtime, found
// only when one is stale.
func (h *Host) repairOptions(ctx context.Context) container.RepairOptions {
	return container.RepairOptions{Runtime: h.deleter(ctx), Warn: h.warn, Volumes: h.removeAnonymousVolumes}
}

// ListOptions say which containers List returns besides pod's own.
type ListOptions struct {
	// External adds the storage containers that have no pod record (a
	// create or build interrupted half-way, another tool's containers).
	External bool
}

// List returns every container, newest first, with stale records (running,
// but their monitor is dead) repaired first. A record that cannot be read
// is listed with status unknown, and a warning names its file.
func (h *Host) List(ctx context.Context, o ListOptions) ([]*container.Record, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		switch {
		case r.External && !o.External:
			continue
		case r.Damage != nil && !r.External:
			h.warn("container %s: its record is damaged (%v): pod rm -f %s removes it", r.Config.Name, r.Damage, r.Config.Name)
		}
		out = append(out, r)
	}
	return container.RepairStale(ctx, h.Store, out, h.repairOptions(ctx)), nil
}

// Load reads the container named by ID, unique ID prefix or name, with a
// stale record repaired first. A damaged record is an error (wrapping
// container.ErrDamaged) that names the fix.
func (h *Host) Load(ctx context.Context, idOrName string) (*container.Record, error) {
	r, err := h.loadAny(ctx, idOrName)
	if err == nil && r.Damage != nil {
		_, err = container.Load(h.Store, idOrName)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// loadAny is Load that also returns a damaged record (with its Damage
// set), for the verbs that can act on one: stop, kill and remove.
func (h *Host) loadAny(ctx context.Context, idOrName string) (*container.Record, error) {
	r, err := container.Load(h.Store, idOrName)
	if err != nil && !errors.Is(err, container.ErrDamaged) {
		return nil, err
	}
	if r.Damage != nil {
		return r, nil
	}
	if len(container.RepairStale(ctx, h.Store, []*container.Record{r}, h.repairOptions(ctx))) == 0 {
		return nil, fmt.Errorf("%w: %q (it was removed: --rm)", container.ErrNoSuchContainer, idOrName)
	}
	return r, nil
}
