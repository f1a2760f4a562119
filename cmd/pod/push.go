package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
)

// newPushCommand builds `pod push`, also `pod image push`.
func newPushCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var format, compression, digestFile string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "push [flags] IMAGE [DESTINATION]",
		Short: "Push an image to a registry",
		Long: "Push a local image to a registry: to its own name, or to DESTINATION (a registry\n" +
			"name, or docker://, docker-archive:, oci-archive:, oci: or dir: with a path).",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := image.PushOptions{
				RegistryOptions: rf.options(cmd), Format: format, Compression: compression,
				DigestFile: digestFile, Progress: cmd.ErrOrStderr(), Retries: rf.retry, RetryDelay: rf.retryDelay,
			}
			if quiet {
				opts.Progress = nil
			}
			dest := ""
			if len(args) == 2 {
				dest = args[1]
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			d, err := image.Push(cmd.Context(), st, args[0], dest, opts)
			if err != nil {
				return err
			}
			g.imageEvent("push", "", dest)
			if quiet {
				fmt.Fprintln(cmd.OutOrStdout(), d)
			}
			return nil
		},
	}
	rf.register(cmd, true, false)
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "", "manifest format: oci or v2s2 (default: the image's own)")
	f.StringVar(&compression, "compression-format", "", "layer compression: gzip or zstd")
	f.StringVar(&digestFile, "digestfile", "", "write the pushed manifest's digest to this file")
	f.BoolVarP(&quiet, "quiet", "q", false, "print only the pushed digest, no progress")
	return cmd
}
