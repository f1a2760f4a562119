package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/image"
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

// options are the pull policy and how to pull (progress to stderr).
func (f *pullFlags) options(cmd *cobra.Command) (image.PullPolicy, image.PullOptions, error) {
	policy, err := image.ParsePullPolicy(f.policy)
	if err != nil {
		return policy, image.PullOptions{}, usageErrorf("--pull: %v", err)
	}
	if err := f.reg.checkPlatform(); err != nil {
		return policy, image.PullOptions{}, err
	}
	opts := f.reg.pullOptions(cmd)
	if f.quiet {
		opts.Progress = nil
	}
	return policy, opts, nil
}
