package main

import (
	"github.com/spf13/cobra"
)

// newImageCommand groups the image commands: `pod image ls` is `pod images`,
// `pod image rm` is `pod rmi`, built by the same constructors.
func newImageCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "image",
		Short: "Manage images",
	}
	ls := newImagesCommand(g)
	ls.Use, ls.Aliases = "ls [flags] [REPOSITORY[:TAG]]", []string{"list"}
	rm := newRmiCommand(g)
	rm.Use, rm.Aliases = "rm [flags] IMAGE [IMAGE...]", []string{"rmi", "remove"}
	cmd.AddCommand(ls, rm, newInspectCommandOf(g, "image", "inspect [flags] IMAGE [IMAGE...]", "Show details of images"), newHistoryCommand(g), newImportCommand(g), newTagCommand(g))
	cmd.AddCommand(newPullCommand(g), newPushCommand(g), newSaveCommand(g), newLoadCommand(g), newImagePruneCommand(g), newImageExistsCommand(g))
	return cmd
}
