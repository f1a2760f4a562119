package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newKillCommand(g *globalOptions) *cobra.Command {
	var signal string
	var all bool
	var cidFiles []string
	cmd := &cobra.Command{
		Use:   "kill [flags] CONTAINER [CONTAINER...]",
		Short: "Kill one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			sig, err := container.ParseSignal(signal)
			if err != nil {
				return usageErrorf("--signal: %v", err)
			}
			if args, err = cidTargets(args, cidFiles, false); err != nil {
				return err
			}
			h, targets, err := containerTargets(cmd, g, args, all, runningOnly)
			if err != nil {
				return err
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				return t, h.Kill(cmd.Context(), t, sig)
			})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "KILL", "signal to send to the container")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "signal all running containers")
	cmd.Flags().StringArrayVar(&cidFiles, "cidfile", nil, "read the container's ID from this file")
	return cmd
}
