package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newTopCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "top CONTAINER [ps OPTIONS]",
		Short: "Display the running processes of a container",
		Long:  "Display the running processes of a container, as the host's ps shows them (default: ps -ef).",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, err := h.Load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out, err := container.Top(rec, args[1:])
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}
