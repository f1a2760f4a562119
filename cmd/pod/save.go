package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pod-project/pod/image"
)

// newSaveCommand builds `pod save`, also `pod image save`.
func newSaveCommand(g *globalOptions) *cobra.Command {
	var output, format string
	var multi, quiet, compress, uncompressed bool
	cmd := &cobra.Command{
		Use:   "save [flags] IMAGE [IMAGE...]",
		Short: "Save images to an archive",
		Long: "Save images to a tar archive (standard output when it is not a terminal) or a\n" +
			"directory. Formats: docker-archive (default; several images with their tags),\n" +
			"oci-archive (one image), oci-dir (an OCI layout directory), docker-dir (one image).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := image.SaveOptions{Format: format, Output: output, Writer: cmd.OutOrStdout(), Compress: compress, Uncompressed: uncompressed}
			if compress && format != image.FormatDockerDir {
				return usageErrorf("--compress can only be set when --format is docker-dir")
			}
			if output == "" && term.IsTerminal(int(os.Stdout.Fd())) {
				return usageErrorf("refusing to write an archive to a terminal: use -o FILE or redirect the output")
			}
			if len(args) > 1 && format != "" && format != image.FormatDockerArchive && format != image.FormatOCIDir {
				return usageErrorf("--format %s holds one image; use docker-archive or oci-dir for several", format)
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			if err := image.Save(cmd.Context(), st, args, opts); err != nil {
				return err
			}
			g.imageEvent("save", "", strings.Join(args, ","))
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "", "write to this file (or directory for oci-dir, docker-dir)")
	f.StringVar(&format, "format", "", "docker-archive, oci-archive, oci-dir or docker-dir (default docker-archive)")
	f.BoolVarP(&multi, "multi-image-archive", "m", false, "several images in one docker-archive (always allowed)")
	f.BoolVarP(&quiet, "quiet", "q", false, "print nothing (save prints no progress anyway)")
	f.BoolVar(&compress, "compress", false, "compress the layers of a docker-dir")
	f.BoolVar(&uncompressed, "uncompressed", false, "keep the layers of an oci-dir uncompressed")
	return cmd
}
