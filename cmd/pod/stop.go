package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var ignore, shutdown bool
	var tf targetFlags
	cmd := &cobra.Command{
		Use:   "stop [flags] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := tf.resolve(cmd, g, args, activeOnly, ignore)
			if err != nil {
				return err
			}
			o := lifecycle.StopOptions{Shutdown: shutdown}
			if cmd.Flags().Changed("time") {
				o.Timeout = &timeout
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				err := h.Stop(cmd.Context(), t, o)
				if ignore && errors.Is(err, container.ErrNoSuchContainer) {
					return "", nil
				}
				return t, err
			})
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	tf.register(fl, "stop all running containers", "f")
	fl.BoolVarP(&ignore, "ignore", "i", false, "ignore containers that do not exist")
	fl.BoolVar(&shutdown, "shutdown", false, "stop as the end of a session does: unless-stopped containers come back with pod start --all (pod-restart.service)")
	return cmd
}
