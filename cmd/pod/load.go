package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pod-project/pod/image"
)

// newLoadCommand builds `pod load`, also `pod image load`.
func newLoadCommand(g *globalOptions) *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [flags]",
		Short: "Load images from an archive",
		Long: "Load the images of a docker-archive or oci-archive (detected; plain or compressed)\n" +
			"from a file (-i) or standard input, with their names.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := image.LoadOptions{Input: input, Reader: cmd.InOrStdin()}
			if input == "" && term.IsTerminal(int(os.Stdin.Fd())) {
				return usageErrorf("no archive: use -i FILE or pipe one to standard input")
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			loaded, err := image.Load(cmd.Context(), st, opts)
			for _, l := range loaded {
				g.imageEvent("loadfromarchive", l.ID, strings.Join(l.Names, ","))
				if len(l.Names) == 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image ID: sha256:%s\n", l.ID)
				}
				for _, n := range l.Names {
					fmt.Fprintf(cmd.OutOrStdout(), "Loaded image: %s\n", n)
				}
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVarP(&input, "input", "i", "", "read this archive instead of standard input")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only what was loaded (load prints no progress anyway)")
	return cmd
}
