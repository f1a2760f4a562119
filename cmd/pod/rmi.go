package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newRmiCommand builds `pod rmi`, also `pod image rm`.
func newRmiCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "rmi [flags] IMAGE [IMAGE...]",
		Short: "Remove images",
		Long: "Remove images. A name of an image with other names is only untagged.\n" +
			"An image that containers use is refused; with --force those containers are\n" +
			"removed first (as pod rm -f would), unlike Docker, which only untags.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
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
				return "", r.Err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove images used by containers (removing those containers) or tagged in several repositories")
	return cmd
}
