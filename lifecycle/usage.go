package lifecycle

import (
	"context"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/volumes"
)

// UsageRow is one line of `pod system df`.
type UsageRow struct {
	Type              string
	Total, Active     int
	Size, Reclaimable int64
}

// DiskUsage is what images, containers and volumes take on disk, and what
// removing the unused ones would free: images no container uses and
// layers of none, containers that do not run, volumes no container mounts.
func (h *Host) DiskUsage(ctx context.Context) ([]UsageRow, error) {
	iu, err := image.DiskUsage(h.Store)
	if err != nil {
		return nil, err
	}
	recs, err := h.List(ctx, ListOptions{External: true})
	if err != nil {
		return nil, err
	}
	ctrs := UsageRow{Type: "Containers"}
	for _, r := range recs {
		rw, _, err := container.Size(h.Store, r)
		if err != nil {
			continue
		}
		ctrs.Total++
		ctrs.Size += rw
		if r.Active() {
			ctrs.Active++
		} else {
			ctrs.Reclaimable += rw
		}
	}
	vu, err := volumes.DiskUsage(h.Store, volumes.New(h.Store.GraphRoot()))
	if err != nil {
		return nil, err
	}
	return []UsageRow{
		{Type: "Images", Total: iu.Total, Active: iu.Active, Size: iu.Size, Reclaimable: iu.Reclaimable},
		ctrs,
		{Type: "Local Volumes", Total: vu.Total, Active: vu.Active, Size: vu.Size, Reclaimable: vu.Reclaimable},
	}, nil
}

// ContainerUsage is one container's line of `system df -v`.
type ContainerUsage struct {
	Record *container.Record
	// Size is its writable layer's; Volumes counts its volume mounts.
	Size    int64
	Volumes int
}

// ContainersUsage measures each container, newest first.
func (h *Host) ContainersUsage(ctx context.Context) ([]ContainerUsage, error) {
	recs, err := h.List(ctx, ListOptions{External: true})
	if err != nil {
		return nil, err
	}
	out := make([]ContainerUsage, 0, len(recs))
	for _, r := range recs {
		rw, _, _ := container.Size(h.Store, r)
		n := 0
		for _, m := range r.Config.Mounts {
			if m.Type == container.MountVolume {
				n++
			}
		}
		out = append(out, ContainerUsage{Record: r, Size: rw, Volumes: n})
	}
	return out, nil
}
