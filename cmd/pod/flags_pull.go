package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/storage"
)

// pullFlags are run/create's --pull policy and the registry flags of the
// implicit pull.
type pullFlags struct {
	policy string
	quiet  bool
	reg    registryFlags
}

func (f *pullFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.policy, "pull", "missing", "pull the image: always, missing, never or newer")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "no pull progress")
	f.reg.register(cmd, true, true)
}

// image finds the container's image, pulling it as --pull says; the
// progress of a pull goes to standard error.
func (f *pullFlags) image(cmd *cobra.Command, st storage.Store, ref string) (*image.Local, error) {
	policy, err := image.ParsePullPolicy(f.policy)
	if err != nil {
		return nil, usageErrorf("--pull: %v", err)
	}
	opts := f.reg.pullOptions(cmd)
	if f.quiet {
		opts.Progress = nil
	}
	return image.Ensure(cmd.Context(), st, ref, policy, opts)
}
