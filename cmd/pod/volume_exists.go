package main

import (
	"github.com/pod-project/pod/container"
	"github.com/spf13/cobra"
)

func newVolumeExistsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "exists VOLUME",
		Short: "Exit 0 if the volume exists, 1 if not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			ok, err := vs.Exists(args[0])
			if err != nil {
				return usageErrorf("volume name %v", err)
			}
			if !ok {
				return container.ExitStatus(1)
			}
			return nil
		},
	}
}
