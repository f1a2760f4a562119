package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/secrets"
	"github.com/pod-project/pod/volumes"
)

// Reset returns the store to empty, as `podman system reset` does: every
// container (stopped and removed through Remove, so their monitors end),
// every user network, every volume, every secret and every image, then storage's own
// directory under the graph root, so that the next call starts afresh
// (another storage driver may be chosen then). The events log stays.
// Each step is a removal that a kill -9 leaves half done and a second
// reset finishes.
func (h *Host) Reset(ctx context.Context) error {
	var errs []error
	all, _, err := h.pods().List()
	if err != nil {
		return err
	}
	for _, p := range all {
		if _, err := h.RemovePod(ctx, p.ID, PodRemoveOptions{Force: true, Ignore: true}); err != nil {
			errs = append(errs, err)
		}
	}
	recs, err := h.List(ctx, ListOptions{External: true})
	if err != nil {
		return err
	}
	for _, r := range recs {
		if _, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Force: true, Volumes: true, Ignore: true}); err != nil {
			errs = append(errs, fmt.Errorf("removing container %s: %w", r.Config.Name, err))
		}
	}
	nets, err := h.Networks().List()
	if err != nil {
		return err
	}
	for _, n := range nets {
		if n.Name == network.DefaultName {
			continue
		}
		if _, err := h.RemoveNetwork(ctx, n.ID, true, nil); err != nil {
			errs = append(errs, err)
		}
	}
	vols, err := volumes.New(h.Store.GraphRoot()).List()
	if err != nil {
		return err
	}
	for _, v := range vols {
		if err := h.RemoveVolume(ctx, v.Name, RemoveVolumeOptions{Force: true}); err != nil {
			errs = append(errs, err)
		}
	}
	ss := secrets.New(h.Store.GraphRoot())
	list, _, err := ss.List()
	if err != nil {
		return err
	}
	for _, sec := range list {
		if _, err := ss.Remove(sec.ID, nil); err != nil {
			errs = append(errs, err)
		}
	}
	imgs, err := h.Store.Images()
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(imgs))
	for _, img := range imgs {
		ids = append(ids, img.ID)
	}
	for _, r := range h.RemoveImages(ctx, ids, true) {
		if r.Err != nil {
			errs = append(errs, r.Err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Nothing is left in storage: its layers, mounts and metadata go with
	// the directory, after the driver let go of its mounts.
	graph := h.Store.GraphRoot()
	if _, err := h.Store.Shutdown(true); err != nil {
		return fmt.Errorf("releasing the store before removing it: %w", err)
	}
	if err := os.RemoveAll(graph); err != nil {
		return fmt.Errorf("removing %s: %w", graph, err)
	}
	if err := os.RemoveAll(ss.Dir()); err != nil {
		return err
	}
	return os.RemoveAll(filepath.Join(filepath.Dir(filepath.Clean(graph)), "volumes"))
}
