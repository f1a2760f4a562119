package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newImportCommand builds `pod import`, also `pod image import`.
func newImportCommand(g *globalOptions) *cobra.Command {
	var changes []string
	var message, osName, arch, variant string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "import [flags] file|URL|- [REPOSITORY[:TAG]]",
		Short: "Make an image from a tar archive of a root filesystem",
		Long: "Make a one-layer image from a tar archive (plain, gzip, bzip2, xz or zstd), a file,\n" +
			"an http(s) URL, or - for standard input. Without a name the image is untagged.\n" +
			"--change takes CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR.",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := image.ImportOptions{
				Source:  args[0],
				Stdin:   cmd.InOrStdin(),
				Changes: changes,
				Message: message,
				OS:      osName, Arch: arch, Variant: variant,
			}
			if len(args) == 2 {
				opts.Reference = args[1]
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			id, err := image.Import(cmd.Context(), st, opts)
			if err != nil {
				return err
			}
			g.imageEvent("import", id, opts.Reference)
			fmt.Fprintf(cmd.OutOrStdout(), "sha256:%s\n", id)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&changes, "change", "c", nil, "apply a Dockerfile instruction to the image (repeatable)")
	f.StringVarP(&message, "message", "m", "", "set the history comment of the imported layer")
	f.StringVar(&osName, "os", "", "the image's operating system (default: the host's)")
	f.StringVar(&arch, "arch", "", "the image's architecture (default: the host's)")
	f.StringVar(&variant, "variant", "", "the image's architecture variant (arm: v7...)")
	f.BoolVarP(&quiet, "quiet", "q", false, "accepted for Podman's scripts (pod import prints no progress, only the ID)")
	return cmd
}
