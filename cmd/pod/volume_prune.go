package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

func newVolumePruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove all volumes no container uses",
		Long:  "Remove all volumes no container uses. Filters: label=KEY[=VALUE], label!=KEY[=VALUE], until=TIME|DURATION.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force {
				if !confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "WARNING! This will remove all volumes not used by at least one container.") {
					return nil
				}
			}
			st, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			removed, err := volumes.Prune(st, vs, filters)
			for _, name := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "only prune volumes that match (label=, label!=, until=)")
	return cmd
}
