package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRestartCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var all bool
	cmd := &cobra.Command{
		Use:   "restart [flags] CONTAINER [CONTAINER...]",
		Short: "Restart one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := containerTargets(cmd, g, args, all, anyContainer)
			if err != nil {
				return err
			}
			o := lifecycle.StopOptions{}
			if cmd.Flags().Changed("time") {
				o.Timeout = &timeout
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				return t, h.Restart(cmd.Context(), t, o)
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "restart all containers")
	return cmd
}
