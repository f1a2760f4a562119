package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newRmiCommand builds `pod rmi`, also `pod image rm`.
func newRmiCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rmi [flags] IMAGE [IMAGE...]",
		Short: "Remove images",
		Long: "Remove images. A name of an image with other names is only untagged.\n" +
			"An image that containers use is refused; with --force those containers are\n" +
			"deleted first (their storage and records), unlike Docker, which only untags.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			results := image.Remove(st, args, image.RemoveOptions{Force: force})
			w, ew := cmd.OutOrStdout(), cmd.ErrOrStderr()
			failed := 0
			var last error
			for _, r := range results {
				for _, n := range r.Untagged {
					fmt.Fprintf(w, "Untagged: %s\n", n)
				}
				if r.Deleted != "" {
					fmt.Fprintf(w, "Deleted: sha256:%s\n", r.Deleted)
				}
				if r.Err != nil {
					failed++
					last = r.Err
					if len(results) > 1 {
						fmt.Fprintf(ew, "Error: %v\n", r.Err)
					}
				}
			}
			switch {
			case failed == 0:
				return nil
			case len(results) == 1:
				return last
			}
			return fmt.Errorf("%d of %d images could not be removed", failed, len(results))
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove images used by containers (deleting those containers) or tagged in several repositories")
	return cmd
}
