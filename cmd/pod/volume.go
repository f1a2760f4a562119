package main

import (
	"fmt"

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
		newVolumeMountCommand(g),
		newVolumeUnmountCommand(g),
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

// tmpfsOutsideUnshare refuses to mount or unmount a tmpfs volume outside
// pod unshare when rootless: its mount is seen only in pod's namespace.
// Other volumes are directories on the host, seen from anywhere.
func (g *globalOptions) tmpfsOutsideUnshare(cmd *cobra.Command, vs *volumes.Store, name string) error {
	v, err := vs.Get(name)
	if err != nil {
		return err
	}
	if v.Options["type"] == "tmpfs" {
		return g.inUnshare(cmd)
	}
	return nil
}

func newVolumeMountCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "mount VOLUME",
		Short: "Make a volume's data reachable and print its path",
		Long: "Make a volume's data reachable and print its path: the data directory, a bind volume's\n" +
			"device, or a tmpfs volume mounted in pod's namespace (rootless: inside pod unshare).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			if err := g.tmpfsOutsideUnshare(cmd, vs, args[0]); err != nil {
				return err
			}
			path, err := volumes.Mount(vs, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), path)
			return nil
		},
	}
}

func newVolumeUnmountCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "unmount VOLUME",
		Aliases: []string{"umount"},
		Short:   "Undo pod volume mount (a tmpfs volume no running container uses is unmounted, and its content dropped)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			if err := g.tmpfsOutsideUnshare(cmd, vs, args[0]); err != nil {
				return err
			}
			if err := volumes.Unmount(st, vs, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), args[0])
			return nil
		},
	}
}
