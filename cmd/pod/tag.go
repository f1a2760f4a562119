package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newTagCommand builds `pod tag`, also `pod image tag`.
func newTagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG] [TARGET_IMAGE[:TAG]...]",
		Short: "Give an image another name",
		Long:  "Give an image another name. A name another image had moves to this one.",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			for _, target := range args[1:] {
				if err := image.Tag(st, args[0], target); err != nil {
					return err
				}
				g.imageEvent("tag", "", target)
			}
			return nil
		},
	}
}

// newUntagCommand builds `pod untag`, also `pod image untag`: the names
// given, or all of the image's; the image itself stays.
func newUntagCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "untag IMAGE [NAME...]",
		Short: "Remove names from an image (all of them when none is given)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			if err := image.Untag(st, args[0], args[1:]); err != nil {
				return err
			}
			g.imageEvent("untag", "", args[0])
			return nil
		},
	}
}
