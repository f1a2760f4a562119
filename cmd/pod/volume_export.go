package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

func newVolumeExportCommand(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [flags] VOLUME",
		Short: "Write the content of a volume as a tar archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := volumes.CheckName(args[0]); err != nil {
				return usageErrorf("volume name %v", err)
			}
			var w io.Writer = cmd.OutOrStdout()
			if out == "" {
				if isTerminal(w) {
					return usageErrorf("refusing to write a tar archive to a terminal: use -o FILE or redirect the output")
				}
			}
			_, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			if out == "" {
				return vs.Export(args[0], w)
			}
			return vs.ExportFile(args[0], out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	return cmd
}
