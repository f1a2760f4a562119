package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

// newContainerExistsCommand builds `pod container exists`: exit 0 when the
// container exists, 1 when not, 125 on errors; it prints nothing. A
// storage container without a pod record (another tool's, or an
// interrupted build's) counts only with --external.
func newContainerExistsCommand(g *globalOptions) *cobra.Command {
	var external bool
	cmd := &cobra.Command{
		Use:   "exists [flags] CONTAINER",
		Short: "Exit 0 if the container exists, 1 if not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			r, err := container.Load(st, args[0])
			switch {
			case errors.Is(err, container.ErrNoSuchContainer):
				return container.ExitStatus(1)
			case err != nil && !errors.Is(err, container.ErrDamaged):
				return err
			case r.External && !external:
				return container.ExitStatus(1)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&external, "external", false, "count storage containers pod did not create (builds', other tools')")
	return cmd
}
