package lifecycle

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// Update changes the cgroup limits of container ref (pod update): they
// are merged into its record, so every later start applies them, and a
// running container gets them at once through the runtime. A container
// with no cgroup of its own (rootless, but for one with limits started
// from a cgroup delegated to the user) is refused, saying what the host
// lacks, and nothing changes; so is a stopped rootless one, whose next
// start may or may not have a cgroup.
func (h *Host) Update(ctx context.Context, ref string, u container.Resources) (*container.Record, error) {
	rec, err := container.Load(h.Store, ref)
	if err != nil {
		return nil, err
	}
	if h.Rootless && !rec.Running() {
		return nil, noCgroupError("updating the limits of", rec.Config.Name)
	}
	old := container.Resources{}
	if rec.Config.Resources != nil {
		old = *rec.Config.Resources
	}
	merged, err := old.Merge(u)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", rec.Config.Name, err))
	}
	if rec.Running() {
		rt, err := h.Runtime(ctx)
		if err != nil {
			return nil, err
		}
		bundle, err := h.Store.ContainerRunDirectory(rec.Config.ID)
		if err != nil {
			return nil, err
		}
		spec, err := readSpec(bundle)
		if err != nil {
			return nil, fmt.Errorf("container %s: %w", rec.Config.Name, err)
		}
		if spec.Linux == nil || spec.Linux.CgroupsPath == "" {
			return nil, noCgroupError("updating the limits of", rec.Config.Name)
		}
		spec.Linux.Resources = runtime.ApplyResources(spec.Linux.Resources, &merged)
		if err := rt.Update(ctx, rec.Config.ID, spec.Linux.Resources); err != nil {
			return nil, fmt.Errorf("updating the limits of %s: %w", rec.Config.Name, err)
		}
		// The bundle's spec too: a restart by the monitor keeps them.
		b, err := json.Marshal(spec)
		if err == nil {
			err = storage.WriteFileAtomic(filepath.Join(bundle, "config.json"), b, 0o600)
		}
		if err != nil {
			return nil, err
		}
	}
	if err := rec.UpdateConfig(func(c *container.Config) { c.Resources = &merged }); err != nil {
		return nil, err
	}
	h.containerEvent("update", rec, nil)
	return rec, nil
}
