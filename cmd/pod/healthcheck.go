package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

// newHealthcheckCommand is `pod healthcheck`, Podman's group for running a
// container's health check by hand.
func newHealthcheckCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Run container health checks",
	}
	cmd.AddCommand(newHealthcheckRunCommand(g))
	return cmd
}

func newHealthcheckRunCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "run CONTAINER",
		Short: "Run a container's health check once: exit 0 when healthy, 1 when not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			status, err := h.Healthcheck(cmd.Context(), args[0])
			if err != nil || status == container.HealthHealthy {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), status)
			return container.ExitStatus(1)
		},
	}
}
