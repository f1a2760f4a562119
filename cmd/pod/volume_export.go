package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"golang.org/x/term"

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
				if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
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
			return exportToFile(vs, args[0], out)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to FILE instead of standard output")
	return cmd
}

// exportToFile writes the archive to a temporary file renamed to path once
// complete, so a failed export leaves no partial archive.
func exportToFile(vs *volumes.Store, name, path string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".pod-export-*")
	if err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	defer os.Remove(f.Name())
	if err := vs.Export(name, f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
