package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newExportCommand(g *globalOptions) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [flags] CONTAINER",
		Short: "Export a container's filesystem as a tar archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var w io.Writer = cmd.OutOrStdout()
			if out == "" || out == "-" {
				if isTerminal(w) {
					return usageErrorf("refusing to write a tar archive to a terminal: use -o FILE or redirect the output")
				}
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("exporting to %s: %w", out, err)
				}
				if err := container.Export(st, args[0], f); err != nil {
					f.Close()
					os.Remove(out)
					return err
				}
				return f.Close()
			}
			return container.Export(st, args[0], w)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to a file instead of stdout")
	return cmd
}
