package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
)

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, all, vols, ignore bool
	var timeout int
	cmd := &cobra.Command{
		Use:     "rm [flags] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := containerTargets(cmd, g, args, all, anyContainer)
			if err != nil {
				return err
			}
			o := lifecycle.RemoveOptions{Force: force, Volumes: vols, Ignore: ignore}
			if cmd.Flags().Changed("time") {
				o.Time = &timeout
			}
			return eachTarget(cmd, targets, func(t string) (string, error) {
				id, err := h.Remove(cmd.Context(), t, o)
				if all || id == "" {
					t = id
				}
				return t, err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill and remove running containers")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all containers")
	cmd.Flags().BoolVarP(&vols, "volumes", "v", false, "remove anonymous volumes of the container")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore containers that do not exist")
	cmd.Flags().IntVarP(&timeout, "time", "t", 0, "with --force, seconds to wait for the stop signal before killing (default: kill at once)")
	return cmd
}
