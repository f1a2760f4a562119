package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

func newVolumeInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] VOLUME [VOLUME...]",
		Short: "Show details of volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := volumeTargets(cmd, g, args, all)
			if err != nil {
				return err
			}
			vs := volumes.New(h.Store.GraphRoot())
			items, err := collectTargets(cmd, targets, func(name string) (any, error) { return vs.Get(name) })
			return printInspect(cmd, format, items, err)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "inspect every volume")
	return cmd
}
