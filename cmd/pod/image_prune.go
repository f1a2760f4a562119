package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newImagePruneCommand builds `pod image prune`.
func newImagePruneCommand(g *globalOptions) *cobra.Command {
	var all, force, external bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove unused images",
		Long: "Remove dangling (untagged) images no container uses; with -a every image no\n" +
			"container uses. Filters: until=DURATION|TIME, label=KEY[=VALUE], label!=KEY[=VALUE].",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if !force {
				what := "all dangling images"
				if all {
					what = "all images without at least one container associated to them"
				}
				if !confirm(cmd.InOrStdin(), out, "WARNING! This will remove "+what+".") {
					return nil
				}
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			if external {
				h, err := g.host()
				if err != nil {
					return err
				}
				if err := h.RemoveExternalUsers(cmd.Context(), all); err != nil {
					return err
				}
			}
			pruned, err := image.Prune(st, image.PruneOptions{All: all, Filters: filters})
			var layers []image.PrunedLayer
			if err == nil {
				layers, err = image.PruneLayers(st)
			}
			printPruned(out, pruned, layers, err == nil)
			return err
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&all, "all", "a", false, "remove all unused images, not only dangling ones")
	f.BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	f.StringArrayVar(&filters, "filter", nil, "filter images (until=, label=, label!=)")
	f.BoolVar(&external, "external", false, "also prune images that only storage containers pod did not create use (an interrupted build's), removing those containers")
	return cmd
}

// printPruned lists the removed images and, when the prune completed, the
// space it freed.
func printPruned(out io.Writer, pruned []image.Pruned, layers []image.PrunedLayer, complete bool) {
	var total int64
	if len(pruned) > 0 {
		fmt.Fprintln(out, "Deleted Images:")
	}
	for _, p := range pruned {
		fmt.Fprintf(out, "deleted: sha256:%s\n", p.ID)
		total += p.Size
	}
	for _, l := range layers {
		fmt.Fprintf(out, "deleted layer (of no image or container): %s\n", l.ID)
		total += l.Size
	}
	if !complete {
		return
	}
	if len(pruned)+len(layers) > 0 {
		fmt.Fprintln(out)
	}
	fmt.Fprintf(out, "Total reclaimed space: %s\n", image.HumanSize(total))
}
