package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/config"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/network"
)

// loadConfig reads containers.conf and storage.conf and takes their
// [engine] and storage settings where no flag gave them.
func (g *globalOptions) loadConfig(cmd *cobra.Command) error {
	home := config.ConfigHome()
	c, err := config.Load(config.Files(home, g.mode.Rootless))
	if err != nil {
		return container.WithExitCode(125, err)
	}
	g.conf = c
	for _, k := range c.Ignored {
		logrus.Debugf("containers.conf: %s: pod does not take this key; passed over", k)
	}
	fl := cmd.Flags()
	e := c.Engine
	if e.Runtime != "" && !fl.Changed("runtime") {
		g.runtime = e.Runtime
		// [engine.runtimes] NAME = [paths]: the first that exists.
		for _, p := range e.Runtimes[e.Runtime] {
			if _, err := os.Stat(p); err == nil {
				g.runtime = p
				break
			}
		}
	}
	switch e.EventsLogger {
	case "":
	case "file", "none":
		if !fl.Changed("events-backend") {
			g.eventsBackend = e.EventsLogger
		}
	case "journald":
		logrus.Debugf("%s: pod keeps its events in a file; journald is passed over", c.Where("engine.events_logger"))
	default:
		return usageErrorf("%s", c.Errorf("engine.events_logger", "%q: file, journald or none", e.EventsLogger))
	}
	switch e.CgroupManager {
	case "", "cgroupfs":
	case "systemd":
		logrus.Debugf("%s: pod places containers' cgroups itself (cgroupfs); systemd is passed over", c.Where("engine.cgroup_manager"))
	default:
		return usageErrorf("%s", c.Errorf("engine.cgroup_manager", "%q: systemd or cgroupfs", e.CgroupManager))
	}
	// Helpers (pasta, slirp4netns, newuidmap...) are found on PATH, the
	// configured directories first.
	if len(e.HelperBinariesDir) > 0 {
		_ = os.Setenv("PATH", strings.Join(append(slices.Clone(e.HelperBinariesDir), os.Getenv("PATH")), string(os.PathListSeparator)))
	}
	for _, kv := range e.Env {
		k, v, ok := config.SplitKV(kv)
		if !ok {
			return usageErrorf("%s", c.Errorf("engine.env", "%q: give KEY=VALUE", kv))
		}
		_ = os.Setenv(k, v)
	}
	sc, err := config.LoadStorage(home, g.mode.Rootless)
	if err != nil {
		return container.WithExitCode(125, err)
	}
	g.storageConf = sc
	for _, k := range sc.Ignored {
		logrus.Debugf("storage.conf: %s: pod does not take this key; passed over", k)
	}
	s := sc.Storage
	if s.Driver != "" && !fl.Changed("storage-driver") {
		g.storageDriver = s.Driver
	}
	if s.Options.Overlay.MountProgram != "" && !fl.Changed("storage-opt") {
		g.storageOpts = append(g.storageOpts, "overlay.mount_program="+s.Options.Overlay.MountProgram)
	}
	if s.Options.Overlay.MountOpt != "" && !fl.Changed("storage-opt") {
		g.storageOpts = append(g.storageOpts, "overlay.mountopt="+s.Options.Overlay.MountOpt)
	}
	graph := s.GraphRoot
	if g.mode.Rootless && s.RootlessStoragePath != "" {
		graph = os.Expand(s.RootlessStoragePath, func(v string) string {
			switch v {
			case "UID":
				return strconv.Itoa(os.Getuid())
			case "USER":
				return os.Getenv("USER")
			case "HOME":
				h, _ := os.UserHomeDir()
				return h
			}
			return ""
		})
	}
	if graph != "" && !fl.Changed("root") {
		g.root = graph
	}
	if s.RunRoot != "" && !fl.Changed("runroot") {
		g.runroot = s.RunRoot
	}
	return nil
}

// confFlags are run's and create's flags containers.conf gives defaults
// for: flag → key.
var confFlags = []struct{ flag, key string }{
	{"ulimit", "containers.default_ulimits"}, {"dns", "containers.dns_servers"},
	{"dns-search", "containers.dns_searches"}, {"dns-option", "containers.dns_options"},
	{"device", "containers.devices"}, {"volume", "containers.volumes"}, {"annotation", "containers.annotations"},
	{"log-driver", "containers.log_driver"}, {"tz", "containers.tz"}, {"umask", "containers.umask"},
	{"init", "containers.init"}, {"init-path", "containers.init_path"}, {"shm-size", "containers.shm_size"},
	{"no-hosts", "containers.no_hosts"}, {"http-proxy", "containers.http_proxy"}, {"userns", "containers.userns"},
	{"ipc", "containers.ipcns"}, {"pid", "containers.pidns"}, {"uts", "containers.utsns"},
	{"cgroupns", "containers.cgroupns"}, {"network", "containers.netns"}, {"pids-limit", "containers.pids_limit"},
	{"stop-timeout", "engine.stop_timeout"}, {"pull", "engine.pull_policy"}, {"network", "network.default_network"},
}

// applyConf gives run's and create's flags that were not given their
// containers.conf values, and returns which flags it set (flag → where).
func applyConf(cmd *cobra.Command, c *config.Config, rootless bool) (map[string]string, error) {
	if c == nil {
		return nil, nil
	}
	fl := cmd.Flags()
	cc := c.Containers
	values := map[string][]string{
		"containers.default_ulimits": cc.DefaultUlimits, "containers.dns_servers": cc.DNSServers,
		"containers.dns_searches": cc.DNSSearches, "containers.dns_options": cc.DNSOptions,
		"containers.devices": cc.Devices, "containers.volumes": cc.Volumes, "containers.annotations": cc.Annotations,
		"containers.log_driver": {cc.LogDriver}, "containers.tz": {cc.TZ}, "containers.umask": {cc.Umask},
		"containers.init": {strconv.FormatBool(cc.Init)}, "containers.init_path": {cc.InitPath},
		"containers.shm_size": {cc.ShmSize}, "containers.no_hosts": {strconv.FormatBool(cc.NoHosts)},
		"containers.userns": {cc.UserNS}, "containers.ipcns": {cc.IPCNS}, "containers.pidns": {cc.PIDNS},
		"containers.utsns": {cc.UTSNS}, "containers.cgroupns": {cc.CgroupNS}, "containers.netns": {cc.NetNS},
		"containers.pids_limit": {strconv.FormatInt(cc.PidsLimit, 10)},
		"engine.stop_timeout":   {strconv.FormatUint(uint64(c.Engine.StopTimeout), 10)},
		"engine.pull_policy":    {c.Engine.PullPolicy}, "network.default_network": {c.Network.DefaultNetwork},
	}
	if cc.HTTPProxy != nil {
		values["containers.http_proxy"] = []string{strconv.FormatBool(*cc.HTTPProxy)}
	}
	set := map[string]string{}
	// log_size_max: the log's max-size unless --log-opt gives one.
	if n := cc.LogSizeMax; c.Set("containers.log_size_max") && n > 0 && fl.Lookup("log-opt") != nil {
		given := false
		for _, o := range logOpts(fl) {
			given = given || strings.HasPrefix(o, "max-size=")
		}
		if !given {
			if err := fl.Set("log-opt", "max-size="+strconv.FormatInt(n, 10)); err != nil {
				return nil, usageErrorf("%s", c.Errorf("containers.log_size_max", "%v", err))
			}
			set["log-opt"] = c.Where("containers.log_size_max")
		}
	}
	for _, cf := range confFlags {
		vs := values[cf.key]
		if !c.Set(cf.key) || fl.Lookup(cf.flag) == nil || fl.Changed(cf.flag) {
			continue
		}
		switch cf.key {
		case "network.default_network":
			if vs[0] == "podman" || vs[0] == network.DefaultName {
				continue // Podman's default network is pod's
			}
		case "containers.netns":
			if vs[0] == "bridge" || vs[0] == "private" {
				continue
			}
		case "containers.pids_limit":
			// Podman's default (2048) applies where limits do; on
			// cgroup v1 rootless it is passed over, as Podman does.
			if lifecycle.LimitsIgnored(rootless) || vs[0] == "0" {
				continue
			}
		case "engine.stop_timeout":
			if vs[0] == "0" {
				continue
			}
		}
		for _, v := range vs {
			if err := fl.Set(cf.flag, v); err != nil {
				return nil, usageErrorf("%s", c.Errorf(cf.key, "%q: %v", v, err))
			}
		}
		set[cf.flag] = c.Where(cf.key)
	}
	return set, nil
}

// confDefaults puts containers.conf's environment, capabilities and
// sysctls into cfg: below what the image and the flags give.
func confDefaults(cfg *container.Config, c *config.Config) error {
	if c == nil {
		return nil
	}
	cc := c.Containers
	for _, kv := range cc.Env {
		if _, _, ok := config.SplitKV(kv); !ok {
			return usageErrorf("%s", c.Errorf("containers.env", "%q: give KEY=VALUE", kv))
		}
	}
	cfg.DefaultEnv = cc.Env
	if c.Set("containers.default_capabilities") {
		caps := []string{}
		for _, cp := range cc.DefaultCapabilities {
			cp = strings.ToUpper(cp)
			if !strings.HasPrefix(cp, "CAP_") {
				cp = "CAP_" + cp
			}
			caps = append(caps, cp)
		}
		cfg.DefaultCaps = caps
	}
	for _, kv := range cc.DefaultSysctls {
		k, v, ok := config.SplitKV(kv)
		if !ok {
			return usageErrorf("%s", c.Errorf("containers.default_sysctls", "%q: give KEY=VALUE", kv))
		}
		if _, given := cfg.Sysctls[k]; given {
			continue
		}
		// Not in a namespace the container shares with the host,
		// another container or its pod: it is theirs.
		netShared := cfg.Pod != "" || (cfg.NetworkMode != "" && !strings.HasPrefix(cfg.NetworkMode, "pasta") && !strings.HasPrefix(cfg.NetworkMode, "slirp4netns") && cfg.NetworkMode != "bridge" && cfg.NetworkMode != "none")
		// A user namespace of the container's own may not write the
		// settings of the network namespace pod made for it.
		netShared = netShared || cfg.UserNS != "" || len(cfg.UIDMaps)+len(cfg.GIDMaps) > 0 || cfg.SubUIDName != "" || cfg.SubGIDName != ""
		ipcShared := cfg.Pod != "" || (cfg.IPC != "" && cfg.IPC != container.NSPrivate && cfg.IPC != "shareable")
		if strings.HasPrefix(k, "net.") && netShared || !strings.HasPrefix(k, "net.") && ipcShared {
			continue
		}
		if err := container.CheckSysctl(k, cfg.NetworkMode); err != nil {
			return usageErrorf("%s", c.Errorf("containers.default_sysctls", "%v", err))
		}
		if cfg.Sysctls == nil {
			cfg.Sysctls = map[string]string{}
		}
		cfg.Sysctls[k] = v
	}
	return nil
}

// fromConf names the containers.conf file and key behind a flag's bad
// value in err.
func fromConf(err error, set map[string]string) error {
	if err == nil {
		return nil
	}
	for flag, where := range set {
		if strings.Contains(err.Error(), "--"+flag) {
			return usageErrorf("%v (the value is from %s)", err, where)
		}
	}
	return err
}

// configFiles is what pod info says of the configuration read.
func (g *globalOptions) configFiles() []string {
	var out []string
	if g.conf != nil {
		out = append(out, g.conf.Files...)
	}
	if g.storageConf != nil {
		out = append(out, g.storageConf.Files...)
	}
	out = append(out, image.RegistriesConfFiles()...)
	for i, f := range out {
		if abs, err := filepath.Abs(f); err == nil {
			out[i] = abs
		}
	}
	return out
}

func logOpts(fl *pflag.FlagSet) []string {
	v, _ := fl.GetStringArray("log-opt")
	return v
}

// confImageFormat gives build's and commit's --format containers.conf's
// image_default_format (oci, or v2s2: Docker's) when not given.
func confImageFormat(cmd *cobra.Command, c *config.Config) error {
	fl := cmd.Flags()
	if c == nil || !c.Set("engine.image_default_format") || fl.Changed("format") {
		return nil
	}
	v := map[string]string{"oci": "oci", "v2s2": "docker", "docker": "docker"}[c.Engine.ImageDefaultFormat]
	if v == "" {
		return usageErrorf("%s", c.Errorf("engine.image_default_format", "%q: oci or v2s2", c.Engine.ImageDefaultFormat))
	}
	return fl.Set("format", v)
}
