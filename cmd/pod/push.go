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
	var quiet, compress, removeSignatures bool
	var signBy, signBySigstore, signPassphrase string
	cmd := &cobra.Command{
		Use:   "push [flags] IMAGE [DESTINATION]",
		Short: "Push an image to a registry",
		Long: "Push a local image to a registry: to its own name, or to DESTINATION (a registry\n" +
			"name, or docker://, docker-archive:, oci-archive:, oci: or dir: with a path).",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if signBy != "" || signBySigstore != "" || signPassphrase != "" {
				return usageErrorf("pod does not sign images (--sign-by, --sign-by-sigstore-private-key, --sign-passphrase-file): sign with skopeo or cosign after the push")
			}
			opts := image.PushOptions{
				Compress: compress, RemoveSignatures: removeSignatures,
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
	f.BoolVar(&compress, "compress", false, "compress the layers of a dir: destination")
	f.BoolVar(&removeSignatures, "remove-signatures", false, "do not copy the image's signatures")
	f.StringVar(&signBy, "sign-by", "", "refused: pod does not sign images")
	f.StringVar(&signBySigstore, "sign-by-sigstore-private-key", "", "refused: pod does not sign images")
	f.StringVar(&signPassphrase, "sign-passphrase-file", "", "refused: pod does not sign images")
	return cmd
}
