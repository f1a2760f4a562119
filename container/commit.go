package container

import (
	"maps"
	"slices"
)

// CommitConfig is the configuration of an image committed from the
// container cfg of an image with config img: the image's, with what the
// container was created with (command, entrypoint, environment, working
// directory, user, labels, stop signal) over it, as Docker does.
func CommitConfig(cfg *Config, img ImageConfig) ImageConfig {
	out := img
	out.Env = slices.Clone(img.Env)
	out.Cmd = slices.Clone(img.Cmd)
	out.Entrypoint = slices.Clone(img.Entrypoint)
	if cfg.Entrypoint != nil {
		out.Entrypoint = slices.Clone(cfg.Entrypoint)
		if len(cfg.Entrypoint) > 0 {
			out.Cmd = nil
		}
	}
	if len(cfg.Cmd) > 0 {
		out.Cmd = slices.Clone(cfg.Cmd)
	}
	out.Env = mergeEnv(out.Env, cfg.Env)
	if cfg.WorkingDir != "" {
		out.WorkingDir = cfg.WorkingDir
	}
	if cfg.User != "" {
		out.User = cfg.User
	}
	if cfg.StopSignal != "" {
		out.StopSignal = cfg.StopSignal
	}
	if len(cfg.Labels) > 0 {
		labels := maps.Clone(img.Labels)
		if labels == nil {
			labels = map[string]string{}
		}
		maps.Copy(labels, cfg.Labels)
		out.Labels = labels
	}
	return out
}
