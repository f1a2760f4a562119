package main

import (
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// restartFlags is --restart of run (and create).
type restartFlags struct {
	policy string
}

func (f *restartFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.policy, "restart", "", "restart policy when the container exits: no, always, unless-stopped, on-failure[:max-retries]")
}

// apply sets cfg.RestartPolicy; call it after --rm is set in cfg.
func (f *restartFlags) apply(cfg *container.Config) error {
	p, err := container.ParseRestartPolicy(f.policy)
	if err != nil {
		return usageErrorf("--restart: %v", err)
	}
	if p.Name == container.RestartNo {
		return nil
	}
	if cfg.AutoRemove {
		return usageErrorf("conflicting options: --restart %s and --rm (a container that is removed on exit cannot restart)", p)
	}
	cfg.RestartPolicy = p.String()
	return nil
}
