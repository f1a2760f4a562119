package main

import "github.com/spf13/cobra"

// newContainerCommand groups the container commands: `pod container ls` is
// `pod ps`, built by the same constructors.
func newContainerCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "container",
		Short: "Manage containers",
	}
	ls := newPsCommand(g)
	ls.Use, ls.Aliases = "ls [flags]", []string{"list", "ps"}
	cmd.AddCommand(ls, newRmCommand(g), newRunCommand(g), newContainerInspectCommand(g))
	return cmd
}
