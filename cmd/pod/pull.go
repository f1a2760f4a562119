package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newPullCommand builds `pod pull`, also `pod image pull`.
func newPullCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var allTags, quiet bool
	cmd := &cobra.Command{
		Use:   "pull [flags] NAME[:TAG|@DIGEST]",
		Short: "Pull an image from a registry",
		Long: "Pull an image from a registry and print its ID. Short names resolve through\n" +
			"registries.conf aliases and unqualified-search registries, else to docker.io\n" +
			"(alpine -> docker.io/library/alpine:latest). Progress goes to standard error.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := rf.checkPlatform(); err != nil {
				return err
			}
			opts := rf.pullOptions(cmd)
			opts.AllTags = allTags
			if quiet {
				opts.Progress = nil
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			pulled, err := image.Pull(cmd.Context(), st, args[0], opts)
			if err != nil {
				return err
			}
			var seen []string
			for _, p := range pulled {
				g.imageEvent("pull", p.ID, p.Name)
				if !slices.Contains(seen, p.ID) {
					seen = append(seen, p.ID)
					fmt.Fprintln(cmd.OutOrStdout(), p.ID)
				}
			}
			return nil
		},
	}
	rf.register(cmd, true, true)
	f := cmd.Flags()
	f.BoolVarP(&allTags, "all-tags", "a", false, "pull every tag of the repository")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the image ID, no progress")
	return cmd
}
