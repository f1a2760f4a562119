package lifecycle

import (
	"context"
	"fmt"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/volumes"
)

// PruneOptions say what `pod system prune` removes besides stopped
// containers: All images no container uses (else dangling ones only),
// Volumes no container uses; Filters select images (until=, label=).
type PruneOptions struct {
	All, Volumes bool
	Filters      []string
}

// PruneReport is what Prune removed.
type PruneReport struct {
	Pods       []string // IDs
	Containers []string // IDs
	Networks   []string // names
	Volumes    []string // names
	Images     []image.Pruned
	// Layers are the layers no image or container referenced (what an
	// interrupted pull or build left).
	Layers []image.PrunedLayer
}

// Prune removes every container that does not run (through the one
// removal path), then unused networks, unused volumes when asked, then
// unused images.
func (h *Host) Prune(ctx context.Context, o PruneOptions) (PruneReport, error) {
	var rep PruneReport
	var err error
	if rep.Pods, err = h.PrunePods(ctx); err != nil {
		return rep, err
	}
	if rep.Containers, err = h.PruneContainers(ctx, nil); err != nil {
		return rep, err
	}
	if rep.Networks, err = h.PruneNetworks(ctx, nil); err != nil {
		return rep, err
	}
	if o.Volumes {
		removed, err := volumes.Prune(h.Store, volumes.New(h.Store.GraphRoot()), nil)
		rep.Volumes = removed
		if err != nil {
			return rep, err
		}
	}
	if rep.Images, err = image.Prune(h.Store, image.PruneOptions{All: o.All, Filters: o.Filters}); err != nil {
		return rep, err
	}
	rep.Layers, err = image.PruneLayers(h.Store)
	if err != nil {
		return rep, err
	}
	_, err = storage.ReclaimTemp(h.Store.GraphRoot())
	return rep, err
}

// RemoveVolumeOptions say how RemoveVolume treats a volume in use.
type RemoveVolumeOptions struct {
	// Force removes the stopped containers that use the volume first (with
	// their anonymous volumes). A volume a running container uses is never
	// removed.
	Force bool
}

// RemoveVolume removes the volume name; with Force, the containers that
// use it go first, through Remove.
func (h *Host) RemoveVolume(ctx context.Context, name string, o RemoveVolumeOptions) error {
	vs := volumes.New(h.Store.GraphRoot())
	if o.Force {
		users, err := volumes.Users(h.Store, name)
		if err != nil {
			return err
		}
		if err := volumes.CheckNotRunning(name, users); err != nil {
			return err
		}
		for _, r := range users {
			if _, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Volumes: true}); err != nil {
				return fmt.Errorf("removing volume %s: %w", name, err)
			}
		}
	}
	if err := volumes.Remove(h.Store, vs, name); err != nil {
		return err
	}
	h.Event(events.Volume, "remove", "", name)
	return nil
}

// RemoveImages untags or deletes each target as `pod rmi` does; with
// Force the containers that use an image are removed first, through
// Remove.
func (h *Host) RemoveImages(ctx context.Context, targets []string, force bool) []image.RemoveResult {
	results := image.Remove(h.Store, targets, image.RemoveOptions{
		Force: force,
		RemoveContainers: func(ids []string) error {
			for _, id := range ids {
				if _, err := h.Remove(ctx, id, RemoveOptions{Force: true, Volumes: true}); err != nil {
					return err
				}
			}
			return nil
		},
	})
	for _, r := range results {
		for _, n := range r.Untagged {
			h.Event(events.Image, "untag", r.Deleted, n)
		}
		if r.Deleted != "" {
			h.Event(events.Image, "remove", r.Deleted, r.Target)
		}
	}
	return results
}

// PruneContainers removes the containers no monitor manages (with their
// anonymous volumes) that match the filters (container.ParseFilters:
// until=, label=...), and returns their IDs.
func (h *Host) PruneContainers(ctx context.Context, filters []string) ([]string, error) {
	match, err := container.ParseFilters(filters)
	if err != nil {
		return nil, container.WithExitCode(125, err)
	}
	recs, err := h.List(ctx, ListOptions{External: true})
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, r := range recs {
		// What a monitor manages, and a storage container whose creator
		// (a create, a build step) is still at work, stay.
		if r.Underway || r.MonitorAlive() || (r.Damage == nil && r.Active()) || !match.Match(r) || r.Config.Infra {
			continue // a pod's infra container goes with its pod (PrunePods)
		}
		id, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Volumes: true})
		if err != nil {
			return removed, fmt.Errorf("removing container %s: %w", r.Config.Name, err)
		}
		removed = append(removed, id)
	}
	return removed, nil
}

// RemoveExternalUsers removes the storage containers pod did not create
// (an interrupted build's, another tool's; not one whose creator is still
// at work) whose image no pod container uses, so that image prune
// --external can take the image: with all, any such image; else only
// untagged ones.
func (h *Host) RemoveExternalUsers(ctx context.Context, all bool) error {
	recs, err := h.List(ctx, ListOptions{External: true})
	if err != nil {
		return err
	}
	podUsed := map[string]bool{}
	for _, r := range recs {
		if !r.External {
			podUsed[r.Config.ImageID] = true
		}
	}
	for _, r := range recs {
		if !r.External || r.Underway || podUsed[r.Config.ImageID] {
			continue
		}
		if !all {
			if img, err := h.Store.Image(r.Config.ImageID); err != nil || len(img.Names) > 0 {
				continue
			}
		}
		if _, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Force: true, Ignore: true}); err != nil {
			return fmt.Errorf("removing storage container %s: %w", container.ShortID(r.Config.ID), err)
		}
	}
	return nil
}
