package main

import (
	"errors"
	"fmt"

	"github.com/pod-project/pod/image"
	"github.com/spf13/cobra"
)

// newRmiCommand builds `pod rmi`, also `pod image rm`.
func newRmiCommand(g *globalOptions) *cobra.Command {
	var force, all, ignore, noPrune bool
	cmd := &cobra.Command{
		Use:   "rmi [flags] IMAGE [IMAGE...]",
		Short: "Remove images",
		Long: "Remove images. A name of an image with other names is only untagged.\n" +
			"An image that containers use is refused; with --force those containers are\n" +
			"removed first (as pod rm -f would), unlike Docker, which only untags.",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case all && len(args) > 0:
				return usageErrorf("when using the --all switch, you may not pass any images names or IDs")
			case !all && len(args) == 0:
				return usageErrorf("pod rmi needs at least one image (or --all)")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if all {
				imgs, err := h.Store.Images()
				if err != nil {
					return err
				}
				for _, img := range imgs {
					args = append(args, img.ID)
				}
			}
			results := h.RemoveImages(cmd.Context(), args, force)
			return eachTarget(cmd, args, func(string) (string, error) {
				r := results[0]
				results = results[1:]
				w := cmd.OutOrStdout()
				for _, n := range r.Untagged {
					fmt.Fprintf(w, "Untagged: %s\n", n)
				}
				if r.Deleted != "" {
					fmt.Fprintf(w, "Deleted: sha256:%s\n", r.Deleted)
				}
				if ignore && errors.Is(r.Err, image.ErrNoSuchImage) {
					return "", nil
				}
				return "", r.Err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove images used by containers (removing those containers) or tagged in several repositories")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all images")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore images that do not exist")
	// pod removes only the images named: a build's intermediate images
	// are not kept as parents to prune.
	cmd.Flags().BoolVar(&noPrune, "no-prune", false, "do not remove dangling parent images (pod never does)")
	return cmd
}
