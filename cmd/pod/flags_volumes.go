package main

import (
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// volumeFlags are the mount flags of run (and create): -v, --mount,
// --tmpfs and --volumes-from.
type volumeFlags struct {
	volumes, mounts, tmpfs, volumesFrom, secrets []string
}

func (f *volumeFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVarP(&f.volumes, "volume", "v", nil, "mount a volume or host path: NAME:DST[:OPTS], /HOST:DST[:OPTS] or DST (options ro, rw, U, z, Z, nocopy, nosuid, nodev, noexec, propagation)")
	fs.StringArrayVar(&f.mounts, "mount", nil, "mount: type=volume|bind|tmpfs,src=...,dst=...[,ro][,volume-nocopy][,bind-propagation=...][,tmpfs-size=...][,tmpfs-mode=...]")
	fs.StringArrayVar(&f.tmpfs, "tmpfs", nil, "mount a tmpfs: DST[:OPTS] (size=, mode=, ro, noexec...)")
	fs.StringArrayVar(&f.volumesFrom, "volumes-from", nil, "mount the volumes of another container: CONTAINER[:ro|rw]")
	fs.StringArrayVar(&f.secrets, "secret", nil, "give the container a pod secret: NAME[,type=mount|env][,target=PATH|VAR][,uid=N][,gid=N][,mode=N] (at /run/secrets/NAME by default)")
}

// apply parses the flags into cfg.Mounts and cfg.VolumesFrom; relative
// host paths become absolute.
func (f *volumeFlags) apply(cfg *container.Config) error {
	var ms []container.Mount
	add := func(values []string, parse func(string) (container.Mount, error)) error {
		for _, v := range values {
			m, err := parse(v)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if m.Type == container.MountBind {
				if m.Source, err = filepath.Abs(m.Source); err != nil {
					return usageErrorf("%s: %v", v, err)
				}
			}
			ms = append(ms, m)
		}
		return nil
	}
	if err := add(f.volumes, container.ParseVolume); err != nil {
		return err
	}
	if err := add(f.mounts, container.ParseMount); err != nil {
		return err
	}
	if err := add(f.tmpfs, container.ParseTmpfs); err != nil {
		return err
	}
	for _, v := range f.volumesFrom {
		if _, _, err := container.ParseVolumesFrom(v); err != nil {
			return usageErrorf("%v", err)
		}
	}
	if err := container.CheckMounts(ms); err != nil {
		return usageErrorf("%v", err)
	}
	cfg.Mounts, cfg.VolumesFrom = ms, f.volumesFrom
	cfg.Secrets = nil
	for _, s := range f.secrets {
		r, err := container.ParseSecret(s)
		if err != nil {
			return usageErrorf("%v", err)
		}
		cfg.Secrets = append(cfg.Secrets, r)
	}
	return nil
}
