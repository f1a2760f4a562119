package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newRenameCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "rename CONTAINER NEW_NAME",
		Short: "Rename a container",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			return container.Rename(st, args[0], args[1])
		},
	}
}
