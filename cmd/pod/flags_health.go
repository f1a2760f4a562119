package main

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// healthFlags are the health check flags of run (and create).
type healthFlags struct {
	fs                             *pflag.FlagSet
	cmd, onFailure                 string
	interval, timeout, startPeriod time.Duration
	retries                        int
	none                           bool
}

func (f *healthFlags) register(fs *pflag.FlagSet) {
	f.fs = fs
	fs.StringVar(&f.cmd, "health-cmd", "", `command to check health: a shell command line, or a JSON array (["CMD", "curl", "-f", "http://localhost"])`)
	fs.DurationVar(&f.interval, "health-interval", 0, "time between health checks (default 30s)")
	fs.DurationVar(&f.timeout, "health-timeout", 0, "time a health check may take (default 30s)")
	fs.DurationVar(&f.startPeriod, "health-start-period", 0, "time for the container to start before failures count (default 0s)")
	fs.IntVar(&f.retries, "health-retries", 0, "consecutive failures that make the container unhealthy (default 3)")
	fs.StringVar(&f.onFailure, "health-on-failure", "", "action when the container turns unhealthy: none, kill, restart or stop")
	fs.BoolVar(&f.none, "no-healthcheck", false, "disable any health check, the image's too")
}

// apply sets cfg.Health: nil when no flag is given (the image's check).
func (f *healthFlags) apply(cfg *container.Config) error {
	changed := false
	for _, n := range []string{"health-cmd", "health-interval", "health-timeout", "health-start-period", "health-retries", "health-on-failure"} {
		changed = changed || f.fs.Changed(n)
	}
	if f.none {
		if changed {
			return usageErrorf("--no-healthcheck conflicts with the --health-* options")
		}
		cfg.Health = &container.HealthConfig{Test: []string{"NONE"}}
		return nil
	}
	if !changed {
		return nil
	}
	for name, d := range map[string]time.Duration{"--health-interval": f.interval, "--health-timeout": f.timeout, "--health-start-period": f.startPeriod} {
		if d < 0 || (d > 0 && d < time.Millisecond) {
			return usageErrorf("%s %v: use 0 (the default) or at least 1ms", name, d)
		}
	}
	if f.retries < 0 {
		return usageErrorf("--health-retries %d: use a count >= 0", f.retries)
	}
	if f.onFailure != "" && !slices.Contains(container.HealthOnFailureActions, f.onFailure) {
		return usageErrorf("--health-on-failure %q: use none, kill, restart or stop", f.onFailure)
	}
	h := &container.HealthConfig{Interval: f.interval, Timeout: f.timeout, StartPeriod: f.startPeriod, Retries: f.retries, OnFailure: f.onFailure}
	if f.fs.Changed("health-cmd") {
		test, err := healthTest(f.cmd)
		if err != nil {
			return err
		}
		h.Test = test
	}
	cfg.Health = h
	return nil
}

// healthTest turns --health-cmd into Docker's test form: a JSON array is
// an exec form (CMD added unless it names its form), anything else a shell
// command line (CMD-SHELL), "none" disables the check.
func healthTest(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, usageErrorf("--health-cmd: give a command")
	case strings.EqualFold(s, "none"):
		return []string{"NONE"}, nil
	case strings.HasPrefix(s, "["):
		var argv []string
		if err := json.Unmarshal([]byte(s), &argv); err != nil || len(argv) == 0 {
			return nil, usageErrorf("--health-cmd %s: not a JSON array of strings", s)
		}
		if argv[0] != "CMD" && argv[0] != "CMD-SHELL" && argv[0] != "NONE" {
			argv = append([]string{"CMD"}, argv...)
		}
		if _, err := container.HealthArgv(argv); err != nil {
			return nil, usageErrorf("--health-cmd: %v", err)
		}
		return argv, nil
	}
	return []string{"CMD-SHELL", s}, nil
}
