package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var all bool
	cmd := &cobra.Command{
		Use:   "stop [flags] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := containerTargets(cmd, g, args, all, activeOnly)
			if err != nil {
				return err
			}
			o := lifecycle.StopOptions{}
			if cmd.Flags().Changed("time") {
				o.Timeout = &timeout
			}
			return eachTarget(cmd, targets, func(t string) (string, error) {
				return t, h.Stop(cmd.Context(), t, o)
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "stop all running containers")
	return cmd
}
