package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pod-project/pod/container"
)

// resolveRequires turns --requires' names into the containers' full IDs;
// each must exist.
func (h *Host) resolveRequires(cfg *container.Config) error {
	var ids []string
	for _, r := range cfg.Requires {
		for _, name := range strings.Split(r, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			rec, err := container.Load(h.Store, name)
			if err != nil {
				return fmt.Errorf("--requires %s: %w", name, err)
			}
			if !slices.Contains(ids, rec.Config.ID) {
				ids = append(ids, rec.Config.ID)
			}
		}
	}
	cfg.Requires = ids
	return nil
}

// startRequired starts the containers rec requires that do not run, and
// theirs first; seen guards against a loop.
func (h *Host) startRequired(ctx context.Context, rec *container.Record, seen map[string]bool) error {
	for _, id := range rec.Config.Requires {
		if seen[id] {
			continue
		}
		seen[id] = true
		dep, err := container.Load(h.Store, id)
		if err != nil {
			return fmt.Errorf("container %s requires %s: %w", rec.Config.Name, container.ShortID(id), err)
		}
		if dep.Running() {
			continue
		}
		if err := h.startRequired(ctx, dep, seen); err != nil {
			return err
		}
		if _, err := h.Start(ctx, id, StartOptions{}); err != nil {
			return fmt.Errorf("starting %s, which %s requires: %w", dep.Config.Name, rec.Config.Name, err)
		}
	}
	return nil
}

// dependents are the containers that require id (--requires).
func (h *Host) dependents(id string) ([]*container.Record, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	var out []*container.Record
	for _, r := range recs {
		if slices.Contains(r.Config.Requires, id) {
			out = append(out, r)
		}
	}
	return out, nil
}

// removeDependents refuses to remove rec while containers require it, or
// with o.Depend removes them first (and theirs).
func (h *Host) removeDependents(ctx context.Context, rec *container.Record, o RemoveOptions) error {
	deps, err := h.dependents(rec.Config.ID)
	if err != nil || len(deps) == 0 {
		return err
	}
	if !o.Depend {
		names := make([]string, len(deps))
		for i, d := range deps {
			names[i] = d.Config.Name
		}
		return fmt.Errorf("container %s has dependent containers which must be removed before it: %s (pod rm --depend removes them too)", rec.Config.Name, strings.Join(names, ", "))
	}
	for _, d := range deps {
		if _, err := h.Remove(ctx, d.Config.ID, o); err != nil && !errors.Is(err, container.ErrNoSuchContainer) {
			return err
		}
	}
	return nil
}
