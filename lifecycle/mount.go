package lifecycle

import (
	"errors"
	"fmt"

	cstorage "go.podman.io/storage"

	"github.com/pod-project/pod/container"
)

// Mount mounts the root filesystem of container ref for the user (pod
// mount) and returns where. The mount is counted in the record: pod
// umount undoes it, pod system check leaves it alone. A kill between the
// mount and the count leaves a mount pod system check --repair undoes.
func (h *Host) Mount(ref string) (*container.Record, string, error) {
	rec, err := container.Load(h.Store, ref)
	if err != nil {
		return nil, "", err
	}
	if rec.Config.Rootfs != "" {
		return rec, rec.Config.Rootfs, nil // --rootfs: its directory, never mounted
	}
	path, err := h.Store.Mount(rec.Config.ID, "")
	if err != nil {
		return nil, "", fmt.Errorf("mounting container %s: %w", rec.Config.Name, err)
	}
	if err := rec.UpdateState(func(s *container.State) { s.UserMounts++ }); err != nil {
		_, _ = h.Store.Unmount(rec.Config.ID, false)
		return nil, "", err
	}
	return rec, path, nil
}

// Unmount undoes pod mount's mounts of container ref: one, or with force
// all of them. The root filesystem of a running container stays mounted
// for it. A container that pod mount did not mount is no error.
func (h *Host) Unmount(ref string, force bool) (*container.Record, error) {
	rec, err := container.Load(h.Store, ref)
	if err != nil {
		return nil, err
	}
	n := 0
	if err := rec.UpdateState(func(s *container.State) {
		n = min(s.UserMounts, 1)
		if force {
			n = s.UserMounts
		}
		s.UserMounts -= n
	}); err != nil {
		return nil, err
	}
	// The count first: a kill between leaves a mount that system check
	// finds, never a count with no mount.
	for ; n > 0; n-- {
		if _, err := h.Store.Unmount(rec.Config.ID, false); err != nil && !errors.Is(err, cstorage.ErrLayerNotMounted) {
			return nil, fmt.Errorf("unmounting container %s: %w", rec.Config.Name, err)
		}
	}
	return rec, nil
}

// MountedContainer is a container whose root filesystem pod mount
// mounted.
type MountedContainer struct {
	Record     *container.Record
	MountPoint string
}

// Mounted lists the containers pod mount mounted, with where.
func (h *Host) Mounted() ([]MountedContainer, error) {
	recs, err := container.List(h.Store)
	if err != nil {
		return nil, err
	}
	var out []MountedContainer
	for _, r := range recs {
		if r.State.UserMounts == 0 {
			continue
		}
		c, err := h.Store.Container(r.Config.ID)
		if err != nil {
			continue
		}
		l, err := h.Store.Layer(c.LayerID)
		if err != nil || l.MountCount == 0 {
			continue
		}
		out = append(out, MountedContainer{Record: r, MountPoint: l.MountPoint})
	}
	return out, nil
}
