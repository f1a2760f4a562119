package main

import (
	"fmt"

	"github.com/pod-project/pod/lifecycle"
	"github.com/spf13/cobra"
)

func newCreateCommand(g *globalOptions) *cobra.Command {
	var f containerFlags
	var attach []string
	cmd := &cobra.Command{
		Use:   "create [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Create a new container without starting it",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options(cmd, args)
			if err != nil {
				return err
			}
			if err := lifecycle.CheckStreams(attach); err != nil {
				return usageErrorf("%v", err)
			}
			o.Config.AttachStreams = attach
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, _, err := h.Create(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), rec.Config.ID)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringSliceVarP(&attach, "attach", "a", nil, "the streams pod start --attach joins: stdin, stdout, stderr (default all)")
	return cmd
}
