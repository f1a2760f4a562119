package main

import (
	"github.com/spf13/cobra"

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
