package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newPortCommand(g *globalOptions) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "port [flags] CONTAINER [PORT[/PROTO]]",
		Short: "List a container's published ports",
		Args:  cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usageErrorf("no arguments are needed with --all")
			case !all && len(args) == 0:
				return usageErrorf("pod port needs a container (or --all)")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if all {
				// Every running container's, each line led by its ID, as
				// Podman's port -a.
				recs, err := h.List(cmd.Context(), lifecycle.ListOptions{})
				if err != nil {
					return err
				}
				for _, r := range recs {
					if !r.Running() {
						continue
					}
					lines, _ := container.PortLines(r.Config.Name, r.Config.Ports, "")
					for _, l := range lines {
						fmt.Fprintf(w, "%s\t%s\n", container.ShortID(r.Config.ID), l)
					}
				}
				return nil
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
				fmt.Fprintln(w, l)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "list the ports of every running container")
	return cmd
}
