package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	var tf targetFlags
	cmd := &cobra.Command{
		Use:   "kill [flags] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			sig, err := container.ParseSignal(signal)
			if err != nil {
				return usageErrorf("--signal: %v", err)
			}
			h, targets, err := tf.resolve(cmd, g, args, runningOnly, false)
			if err != nil {
				return err
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				return t, h.Kill(cmd.Context(), t, sig)
			})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal to send to the container")
	tf.register(cmd.Flags(), "signal all running containers", "")
	return cmd
}
