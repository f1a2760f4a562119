package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
)

// newImageExistsCommand builds `pod image exists`: exit 0 when the image is
// local, 1 when not, 125 on errors; it prints nothing.
func newImageExistsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "exists IMAGE",
		Short: "Check whether an image exists locally",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			ok, err := image.Exists(st, args[0])
			if err != nil {
				return err
			}
			if !ok {
				return container.ExitStatus(1)
			}
			return nil
		},
	}
}
