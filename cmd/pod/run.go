package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newRunCommand(g *globalOptions) *cobra.Command {
	var f containerFlags
	var rf runFlags
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Run a command in a new container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			co, err := f.options(cmd, args)
			if err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, code, err := h.Run(cmd.Context(), rf.options(co))
			if err == nil && rf.detach {
				fmt.Fprintln(cmd.OutOrStdout(), rec.Config.ID)
			}
			if err != nil {
				return err
			}
			return container.ExitStatus(code)
		},
	}
	f.register(cmd)
	rf.register(cmd)
	return cmd
}
