package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRestartCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var running bool
	var tf targetFlags
	cmd := &cobra.Command{
		Use:   "restart [flags] CONTAINER [CONTAINER...]",
		Short: "Restart one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			keep := anyContainer
			if running {
				keep = runningOnly
			}
			h, targets, err := tf.resolve(cmd, g, args, keep, false)
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
	tf.register(cmd.Flags(), "restart all containers", "f")
	cmd.Flags().BoolVar(&running, "running", false, "with --all or --filter, restart only the running containers")
	return cmd
}
