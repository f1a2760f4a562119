package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newContainerPruneCommand builds `pod container prune`: the containers
// that do not run, with their anonymous volumes; their IDs are printed.
func newContainerPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove all containers that are not running",
		Long:  "Remove all containers that are not running. Filters: until=TIME|DURATION (created before), label=KEY[=VALUE], and ps's others.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "WARNING! This will remove all non running containers.") {
				return nil
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			removed, err := h.PruneContainers(cmd.Context(), filters)
			for _, id := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "only prune containers that match (until=, label=, name=...)")
	return cmd
}
