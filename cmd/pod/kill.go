package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	cmd := &cobra.Command{
		Use:   "kill [flags] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			sig, err := container.ParseSignal(signal)
			if err != nil {
				return usageErrorf("--signal: %v", err)
			}
			return eachContainer(cmd, g, args, func(r *container.Record) error {
				return r.Kill(sig)
			})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal to send to the container")
	return cmd
}
