package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
)

// The auto-update policies.
const (
	AutoUpdateRegistry = "registry"
	AutoUpdateLocal    = "local"
)

// AutoUpdateOptions say how AutoUpdate checks and restarts.
type AutoUpdateOptions struct {
	// DryRun only reports what would be updated ("pending").
	DryRun bool
	// Rollback restores the previous image and restarts the unit again
	// when the restart onto the new one fails.
	Rollback bool
	// Registry is how the registry policy talks to registries.
	Registry image.RegistryOptions
	// Progress receives the pulls' progress (nil: silent).
	Progress io.Writer
	// Restart restarts a systemd unit and fails when it does not come up
	// (systemctl [--user] restart UNIT).
	Restart func(ctx context.Context, unit string) error
}

// AutoUpdateReport is what AutoUpdate did for one container. Updated is
// "true", "false", "pending" (dry run), "rolled back" or "failed" (Err
// says why).
type AutoUpdateReport struct {
	Unit, ContainerID, ContainerName, Image, Policy, Updated string
	Err                                                      error
}

// unitPlan is the containers of one unit and whether any needs the unit
// restarted.
type unitPlan struct {
	unit    string
	reports []*AutoUpdateReport
	// previous maps image names to the image ID the containers ran, for
	// a rollback.
	previous map[string]string
	restart  bool
}

// AutoUpdate updates the running containers labelled for it: with the
// registry policy when the registry serves another manifest for their
// image's name (pulled first), with the local policy when the name now
// names another local image. Each unit with such a container is restarted
// once; should the restart fail, the names go back to the images the
// containers ran and the unit is restarted again (Rollback).
func (h *Host) AutoUpdate(ctx context.Context, o AutoUpdateOptions) ([]AutoUpdateReport, error) {
	plans, err := h.autoUpdatePlans(ctx, o)
	if err != nil {
		return nil, err
	}
	var out []AutoUpdateReport
	var errs []error
	for _, p := range plans {
		if p.restart && !o.DryRun {
			h.restartUnit(ctx, p, o)
		}
		for _, r := range p.reports {
			out = append(out, *r)
			if r.Err != nil {
				errs = append(errs, fmt.Errorf("container %s (unit %s): %w", r.ContainerName, p.unit, r.Err))
			}
		}
	}
	return out, errors.Join(errs...)
}

// autoUpdatePlans checks every labelled running container, pulling new
// images (but in a dry run), grouped by unit in the order found.
func (h *Host) autoUpdatePlans(ctx context.Context, o AutoUpdateOptions) ([]*unitPlan, error) {
	recs, err := h.List(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	var plans []*unitPlan
	byUnit := map[string]*unitPlan{}
	for _, rec := range recs {
		policy, ok := rec.Config.Labels[container.AutoUpdateLabel]
		if !ok || !rec.Running() {
			continue
		}
		cfg := &rec.Config
		unit := cfg.Labels[container.UnitLabel]
		p := byUnit[unit]
		if p == nil {
			p = &unitPlan{unit: unit, previous: map[string]string{}}
			byUnit[unit] = p
			plans = append(plans, p)
		}
		r := &AutoUpdateReport{Unit: unit, ContainerID: cfg.ID, ContainerName: cfg.Name, Image: cfg.Image, Policy: policy, Updated: "false"}
		p.reports = append(p.reports, r)
		if unit == "" {
			r.Updated, r.Err = "failed", fmt.Errorf("no %s label: auto-update restarts the systemd unit that runs a container; run it from one (pod generate systemd --new, or a .container file)", container.UnitLabel)
			continue
		}
		update, err := h.checkUpdate(ctx, rec, policy, o)
		switch {
		case err != nil:
			r.Updated, r.Err = "failed", err
		case update && o.DryRun:
			r.Updated = "pending"
			p.restart = true
		case update:
			p.previous[cfg.Image] = cfg.ImageID
			p.restart = true
		}
	}
	return plans, nil
}

// checkUpdate reports whether rec's unit must restart for a newer image,
// pulling it for the registry policy (but in a dry run).
func (h *Host) checkUpdate(ctx context.Context, rec *container.Record, policy string, o AutoUpdateOptions) (bool, error) {
	cfg := &rec.Config
	switch policy {
	case AutoUpdateRegistry:
		remote, err := image.RemoteDigest(ctx, h.Store, cfg.Image, o.Registry)
		if err != nil {
			return false, err
		}
		local, err := image.Lookup(h.Store, cfg.Image)
		if err == nil && local.HasDigest(remote) {
			return local.ID != cfg.ImageID, nil
		}
		if o.DryRun {
			return true, nil
		}
		pulled, err := image.Pull(ctx, h.Store, cfg.Image, image.PullOptions{RegistryOptions: o.Registry, Progress: o.Progress, Retries: 3})
		if err != nil {
			return false, err
		}
		return pulled[0].ID != cfg.ImageID, nil
	case AutoUpdateLocal:
		local, err := image.Lookup(h.Store, cfg.Image)
		if err != nil {
			return false, err
		}
		return local.ID != cfg.ImageID, nil
	}
	return false, fmt.Errorf("label %s=%q: the policy is registry or local", container.AutoUpdateLabel, policy)
}

// restartUnit restarts p's unit, rolling back on failure, and records
// the outcome in the reports of the containers that were updated.
func (h *Host) restartUnit(ctx context.Context, p *unitPlan, o AutoUpdateOptions) {
	err := o.Restart(ctx, p.unit)
	outcome := "true"
	if err != nil {
		outcome = "failed"
		if o.Rollback {
			outcome, err = "rolled back", h.rollBack(ctx, p, o, err)
		}
	}
	for _, r := range p.reports {
		if _, updated := p.previous[r.Image]; updated && r.Err == nil {
			r.Updated, r.Err = outcome, err
		}
	}
}

// rollBack gives the names back to the images the containers ran and
// restarts the unit again; it returns why the update failed, and whether
// the rollback did too.
func (h *Host) rollBack(ctx context.Context, p *unitPlan, o AutoUpdateOptions, cause error) error {
	names := make([]string, 0, len(p.previous))
	for name := range p.previous {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := image.Tag(h.Store, p.previous[name], name); err != nil {
			return fmt.Errorf("restarting onto the new image: %w; rolling back: %v", cause, err)
		}
	}
	if err := o.Restart(ctx, p.unit); err != nil {
		return fmt.Errorf("restarting onto the new image: %w; restarting with the previous one: %v", cause, err)
	}
	return fmt.Errorf("restarting onto the new image: %w; rolled back to the previous image", cause)
}
