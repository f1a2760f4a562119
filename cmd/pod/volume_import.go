package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

func newVolumeImportCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "import VOLUME FILE|-",
		Short: "Extract a tar archive into a volume (created when missing)",
		Long: "Extract a tar archive (a file, or - for standard input) into a volume, created when\n" +
			"missing. Archives with absolute paths, .. or entries under symbolic links are refused.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := volumes.CheckName(args[0]); err != nil {
				return usageErrorf("volume name %v", err)
			}
			var r io.Reader = cmd.InOrStdin()
			if args[1] != "-" {
				f, err := os.Open(args[1])
				if err != nil {
					return usageErrorf("%v", err)
				}
				defer f.Close()
				r = f
			}
			st, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			return volumes.Import(st, vs, args[0], r)
		},
	}
}
