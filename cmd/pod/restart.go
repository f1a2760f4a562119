package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newRestartCommand(g *globalOptions) *cobra.Command {
	var timeout int
	cmd := &cobra.Command{
		Use:   "restart [flags] CONTAINER [CONTAINER...]",
		Short: "Restart one or more containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var t *int
			if cmd.Flags().Changed("time") {
				t = &timeout
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			return eachContainer(cmd, g, args, func(r *container.Record) error {
				if err := r.Stop(cmd.Context(), t); err != nil {
					return err
				}
				img, err := imageConfigOf(st, r)
				if err != nil {
					return err
				}
				return startDetached(cmd, g, st, r, img, false)
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	return cmd
}
