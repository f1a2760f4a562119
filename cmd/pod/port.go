package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newPortCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "port CONTAINER [PORT[/PROTO]]",
		Short: "List a container's published ports",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, err := h.Load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			filter := ""
			if len(args) == 2 {
				filter = args[1]
			}
			var ports []container.PortMapping
			if rec.Running() {
				ports = rec.Config.Ports
			}
			lines, err := container.PortLines(rec.Config.Name, ports, filter)
			if err != nil {
				return err
			}
			for _, l := range lines {
				fmt.Fprintln(cmd.OutOrStdout(), l)
			}
			return nil
		},
	}
}
