package main

import (
	"fmt"

	"github.com/pod-project/pod/lifecycle"
	"github.com/spf13/cobra"
)

func newCreateCommand(g *globalOptions) *cobra.Command {
	var f containerFlags
	var attach []string
	var initCtr string
	cmd := &cobra.Command{
		Use:   "create [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Create a new container without starting it",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := applyConf(cmd, g.conf, g.mode.Rootless)
			if err != nil {
				return err
			}
			o, err := f.options(cmd, args)
			if err != nil {
				return fromConf(err, set)
			}
			if err := confDefaults(o.Config, g.conf); err != nil {
				return err
			}
			if err := lifecycle.CheckStreams(attach); err != nil {
				return usageErrorf("%v", err)
			}
			o.Config.AttachStreams = attach
			switch initCtr {
			case "", "always", "once":
				o.Config.InitCtr = initCtr
			default:
				return usageErrorf("--init-ctr %q: always or once", initCtr)
			}
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
	cmd.Flags().StringVar(&initCtr, "init-ctr", "", "make the container an init container of its pod (--pod): it runs to its end before the others at every start of the pod (always) or the first (once)")
	cmd.Flags().StringSliceVarP(&attach, "attach", "a", nil, "the streams pod start --attach joins: stdin, stdout, stderr (default all)")
	return cmd
}
