package lifecycle

import (
	"context"
	"fmt"

	"github.com/pod-project/pod/container"
)

// repairOptions let stale records be repaired with the runtime, found
// only when one is stale.
func (h *Host) repairOptions(ctx context.Context) container.RepairOptions {
	return container.RepairOptions{Runtime: h.deleter(ctx), Warn: h.warn, Volumes: h.removeAnonymousVolumes}
}

// List returns every container, newest first, with stale records (running,
// but their monitor is dead) repaired first.
func (h *Host) List(ctx context.Context) ([]*container.Record, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	return container.RepairStale(ctx, h.Store, recs, h.repairOptions(ctx)), nil
}

// Load reads the container named by ID, unique ID prefix or name, with a
// stale record repaired first.
func (h *Host) Load(ctx context.Context, idOrName string) (*container.Record, error) {
	r, err := container.Load(h.Store, idOrName)
	if err != nil {
		return nil, err
	}
	if len(container.RepairStale(ctx, h.Store, []*container.Record{r}, h.repairOptions(ctx))) == 0 {
		return nil, fmt.Errorf("%w: %q (it was removed: --rm)", container.ErrNoSuchContainer, idOrName)
	}
	return r, nil
}
