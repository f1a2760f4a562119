package main

import (
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// logFlags are --log-driver and --log-opt of run (and create).
type logFlags struct {
	driver string
	opts   []string
}

func (f *logFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.driver, "log-driver", "", "logging driver: json-file (default), k8s-file, journald, none or passthrough")
	fs.StringArrayVar(&f.opts, "log-opt", nil, "logging driver options: max-size=SIZE, max-file=N")
}

func (f *logFlags) apply(cfg *container.Config) error {
	o, err := container.ParseLogConfig(f.driver, f.opts)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.Driver == container.LogDriverJournald {
		if err := container.CheckJournal(); err != nil {
			return usageErrorf("%v", err)
		}
	}
	if o.Driver == container.LogDriverJSON && o.MaxSize == 0 && o.MaxFile == 0 {
		// The default: keep config.json small.
		o.Driver = ""
	}
	cfg.LogConfig = o
	return nil
}
