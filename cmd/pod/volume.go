package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/volumes"
)

// newVolumeCommand groups the volume commands.
func newVolumeCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "volume",
		Short: "Manage volumes",
	}
	cmd.AddCommand(
		newVolumeCreateCommand(g),
		newVolumeLsCommand(g),
		newVolumeInspectCommand(g),
		newVolumeRmCommand(g),
		newVolumePruneCommand(g),
		newVolumeExistsCommand(g),
		newVolumeExportCommand(g),
		newVolumeImportCommand(g),
	)
	return cmd
}

// volumeStore opens the storage and returns the volumes next to it.
func (g *globalOptions) volumeStore() (storage.Store, *volumes.Store, error) {
	st, err := g.store()
	if err != nil {
		return nil, nil, err
	}
	return st, volumes.New(st.GraphRoot()), nil
}

// removeWithVolumes removes a container, then its anonymous volumes
// (run --rm).
func removeWithVolumes(st storage.Store, cfg *container.Config) error {
	if err := container.Remove(st, cfg.ID); err != nil {
		return err
	}
	return volumes.RemoveAnonymous(st, cfg)
}

// deleteContainer is container.Delete, then with vols (rm -v) the
// container's anonymous volumes.
func deleteContainer(ctx context.Context, st storage.Store, idOrName string, o container.DeleteOptions, vols bool) (string, error) {
	var cfg *container.Config
	if vols {
		if r, err := container.Load(st, idOrName); err == nil {
			cfg = &r.Config
		}
	}
	id, err := container.Delete(ctx, st, idOrName, o)
	if err != nil || cfg == nil {
		return id, err
	}
	return id, volumes.RemoveAnonymous(st, cfg)
}
