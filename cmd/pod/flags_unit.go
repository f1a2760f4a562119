package main

import (
	"path/filepath"
	"slices"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// unitFlags are the flags of run and create that a systemd unit uses.
type unitFlags struct {
	sdNotify, cidFile, pidFile, monitorPidFile, cgroups, systemd string
	replace                                                      bool
}

func (f *unitFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.sdNotify, "sdnotify", container.SdNotifyContainer, `how a systemd unit learns the container is up: "container" (the container's own sd_notify), "conmon" (once it runs), "healthy" (after its first passing health check) or "ignore"`)
	fs.StringVar(&f.cidFile, "cidfile", "", "write the container's ID to this file (it must not exist)")
	fs.BoolVar(&f.replace, "replace", false, "remove a container of the same name first")
	fs.StringVar(&f.pidFile, "pidfile", "", "write the PID of the container's process to this file")
	fs.StringVar(&f.monitorPidFile, "conmon-pidfile", "", "write the PID of the container's monitor to this file")
	fs.StringVar(&f.systemd, "systemd", "true", `run the container as a systemd one: "true" (when its command is an init or systemd), "always" or "false"`)
	fs.StringVar(&f.cgroups, "cgroups", "enabled", `the container's cgroup: "enabled", "disabled" (none), "no-conmon" or "split" (see pod info)`)
}

// apply checks the flags and sets cfg's fields.
func (f *unitFlags) apply(cfg *container.Config) error {
	modes := []string{container.SdNotifyContainer, container.SdNotifyConmon, container.SdNotifyHealthy, container.SdNotifyIgnore}
	if !slices.Contains(modes, f.sdNotify) {
		return usageErrorf("--sdnotify %q: use container, conmon, healthy or ignore", f.sdNotify)
	}
	if f.sdNotify != container.SdNotifyContainer {
		cfg.SdNotify = f.sdNotify
	}
	if !slices.Contains([]string{"enabled", "disabled", "no-conmon", "split"}, f.cgroups) {
		return usageErrorf("--cgroups %q: use enabled, disabled, no-conmon or split", f.cgroups)
	}
	if f.cgroups != "enabled" {
		cfg.Cgroups = f.cgroups
	}
	switch f.systemd {
	case "true":
	case container.SystemdAlways, container.SystemdFalse:
		cfg.Systemd = f.systemd
	default:
		return usageErrorf("--systemd %q: use true, false or always", f.systemd)
	}
	for _, p := range []*string{&f.pidFile, &f.monitorPidFile, &f.cidFile} {
		if *p == "" {
			continue
		}
		abs, err := filepath.Abs(*p)
		if err != nil {
			return usageErrorf("%s: %v", *p, err)
		}
		*p = abs
	}
	if f.replace && cfg.Name == "" {
		return usageErrorf("--replace needs --name: it replaces the container of that name")
	}
	cfg.PidFile, cfg.MonitorPidFile = f.pidFile, f.monitorPidFile
	return nil
}
