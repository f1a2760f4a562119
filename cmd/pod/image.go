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
	cmd.AddCommand(newUntagCommand(g), newBuildCommand(g))
	return cmd
}

// newBuildxCommand is Docker's `buildx`, of which pod has `build` (as
// Podman's `buildx build`).
func newBuildxCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "buildx",
		Short: "Build images (Docker's buildx spelling of pod build)",
	}
	cmd.AddCommand(newBuildCommand(g))
	return cmd
}
