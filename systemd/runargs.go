package systemd

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pod-project/pod/container"
)

// RunArgsOptions say what RunArgs leaves out.
type RunArgsOptions struct {
	// Image is the configuration of the container's image, when known:
	// anonymous volumes the image's VOLUMEs made are left out (the image
	// makes them again), and so is a stop signal equal to the image's.
	Image *container.ImageConfig
}

// RunArgs is the reverse of run's flags: the arguments of `pod run` (after
// "run") that make a container like cfg, ending with its image and
// command. Values are the record's, resolved at create time: env files
// and host variables as their values, relative paths as absolute ones,
// published ports with the host ports chosen. What pod derives at create
// time (ID, command resolved against the image, image health check) is
// not repeated.
func RunArgs(cfg *container.Config, o RunArgsOptions) ([]string, error) {
	var a args
	if cfg.Pod != "" {
		a.add("--pod", cfg.Pod)
		cfg = withoutPod(cfg)
	}
	a.str("--name", cfg.Name)
	a.str("--hostname", cfg.Hostname)
	a.str("--domainname", cfg.Domainname)
	a.str("--user", cfg.User)
	a.str("--workdir", cfg.WorkingDir)
	switch len(cfg.Entrypoint) {
	case 0:
		if cfg.Entrypoint != nil {
			a.add("--entrypoint", "")
		}
	case 1:
		a.add("--entrypoint", cfg.Entrypoint[0])
	default:
		// The JSON form, as Podman takes it.
		b, err := json.Marshal(cfg.Entrypoint)
		if err != nil {
			return nil, err
		}
		a.add("--entrypoint", string(b))
	}
	a.each("--env", cfg.Env)
	for _, k := range slices.Sorted(maps.Keys(cfg.Labels)) {
		// The unit a container ran in is the unit's own business: a unit
		// made from it records itself.
		if k != container.UnitLabel {
			a.add("--label", k+"="+cfg.Labels[k])
		}
	}
	a.bool("--interactive", cfg.Interactive)
	a.bool("--tty", cfg.Tty)
	a.bool("--rm", cfg.AutoRemove)
	a.bool("--privileged", cfg.Privileged)
	a.bool("--read-only", cfg.ReadOnlyRootfs)
	a.bool("--no-hosts", cfg.NoHosts)
	a.each("--cap-add", cfg.CapAdd)
	a.each("--cap-drop", cfg.CapDrop)
	a.each("--security-opt", cfg.SecurityOpt)
	if o.Image == nil || cfg.StopSignal != o.Image.StopSignal {
		a.str("--stop-signal", cfg.StopSignal)
	}
	if cfg.StopTimeout != nil {
		a.add("--stop-timeout", strconv.Itoa(*cfg.StopTimeout))
	}
	if err := a.mounts(cfg, o.Image); err != nil {
		return nil, err
	}
	a.each("--volumes-from", cfg.VolumesFrom)
	a.str("--userns", cfg.UserNS)
	a.each("--chrootdirs", cfg.ChrootDirs)
	if len(cfg.Requires) > 0 {
		a.add("--requires", strings.Join(cfg.Requires, ","))
	}
	a.each("--device-cgroup-rule", cfg.DeviceCgroupRules)
	a.bool("--oom-kill-disable", cfg.OOMKillDisable)
	if cfg.Timeout > 0 {
		a.add("--timeout", strconv.FormatUint(uint64(cfg.Timeout), 10))
	}
	a.each("--uidmap", cfg.UIDMaps)
	a.each("--gidmap", cfg.GIDMaps)
	a.str("--subuidname", cfg.SubUIDName)
	a.str("--subgidname", cfg.SubGIDName)
	a.each("--hostuser", cfg.HostUsers)
	if cfg.NoPasswd {
		a.add("--passwd=false")
	}
	a.str("--passwd-entry", cfg.PasswdEntry)
	a.each("--device", cfg.Devices)
	a.str("--image-volume", cfg.ImageVolume)
	a.str("--personality", cfg.Personality)
	a.str("--cgroup-parent", cfg.CgroupParent)
	a.pairs("--cgroup-conf", cfg.CgroupConf)
	a.str("--ipc", cfg.IPC)
	a.str("--pid", cfg.PID)
	a.str("--uts", cfg.UTS)
	a.str("--cgroupns", cfg.CgroupNS)
	a.each("--group-add", cfg.GroupAdd)
	if cfg.OOMScoreAdj != nil {
		a.add("--oom-score-adj", strconv.Itoa(*cfg.OOMScoreAdj))
	}
	if cfg.ReadOnlyRootfs && cfg.NoReadOnlyTmpfs {
		a.add("--read-only-tmpfs=false")
	}
	a.bool("--init", cfg.Init)
	a.str("--init-path", cfg.InitPath)
	a.each("--ulimit", cfg.Ulimits)
	if cfg.ShmSize > 0 {
		a.add("--shm-size", strconv.FormatInt(cfg.ShmSize, 10))
	}
	a.pairs("--sysctl", cfg.Sysctls)
	a.str("--umask", cfg.Umask)
	a.str("--tz", cfg.Timezone)
	a.pairs("--annotation", cfg.Annotations)
	a.each("--env-merge", cfg.EnvMerge)
	a.each("--unsetenv", cfg.UnsetEnv)
	a.bool("--unsetenv-all", cfg.UnsetEnvAll)
	if cfg.Resources != nil {
		a.add(cfg.Resources.Args()...)
	}
	for _, r := range cfg.Secrets {
		a.add("--secret", r.String())
	}
	a.str("--restart", cfg.RestartPolicy)
	a.str("--sdnotify", cfg.SdNotify)
	a.str("--cgroups", cfg.Cgroups)
	a.str("--systemd", cfg.Systemd)
	a.str("--pidfile", cfg.PidFile)
	a.str("--conmon-pidfile", cfg.MonitorPidFile)
	a.health(cfg.Health)
	a.logs(cfg.LogConfig)
	a.network(cfg)
	if cfg.Rootfs != "" {
		a.add("--rootfs", cfg.Rootfs)
	} else {
		a.add(cfg.Image)
	}
	a.add(cfg.Cmd...)
	return a, nil
}

// args collects command line arguments.
type args []string

func (a *args) add(s ...string) { *a = append(*a, s...) }

// str adds flag VALUE when value is set.
func (a *args) str(flag, value string) {
	if value != "" {
		a.add(flag, value)
	}
}

// pairs adds flag KEY=VALUE for every key of m, in order.
func (a *args) pairs(flag string, m map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		a.add(flag, k+"="+m[k])
	}
}

// each adds flag VALUE for every value.
func (a *args) each(flag string, values []string) {
	for _, v := range values {
		a.add(flag, v)
	}
}

func (a *args) bool(flag string, on bool) {
	if on {
		a.add(flag)
	}
}

// health adds the --health-* flags that give h (nil: the image's check).
func (a *args) health(h *container.HealthConfig) {
	if h == nil {
		return
	}
	if h.Disabled() && len(h.Test) == 1 && h.Interval == 0 && h.Timeout == 0 && h.StartPeriod == 0 && h.Retries == 0 && h.OnFailure == "" {
		a.add("--no-healthcheck")
		return
	}
	n := len(*a)
	switch {
	case len(h.Test) == 0:
	case h.Test[0] == "CMD-SHELL" && len(h.Test) == 2 && shellHealthCmd(h.Test[1]):
		a.add("--health-cmd", h.Test[1])
	case h.Disabled() && len(h.Test) == 1:
		a.add("--health-cmd", "none")
	default:
		b, _ := json.Marshal(h.Test)
		a.add("--health-cmd", string(b))
	}
	a.duration("--health-interval", h.Interval)
	a.duration("--health-timeout", h.Timeout)
	a.duration("--health-start-period", h.StartPeriod)
	if h.Retries != 0 {
		a.add("--health-retries", strconv.Itoa(h.Retries))
	}
	a.str("--health-on-failure", h.OnFailure)
	if len(*a) == n {
		// A check with every field zero: the image's, with its defaults.
		a.add("--health-retries", "0")
	}
}

func (a *args) duration(flag string, d time.Duration) {
	if d != 0 {
		a.add(flag, d.String())
	}
}

// shellHealthCmd reports whether --health-cmd reads s back as the shell
// command s (not as JSON, nor as "none").
func shellHealthCmd(s string) bool {
	return s != "" && s == strings.TrimSpace(s) && !strings.HasPrefix(s, "[") && !strings.EqualFold(s, "none")
}

func (a *args) logs(l container.LogConfig) {
	a.str("--log-driver", l.Driver)
	if l.MaxSize > 0 {
		a.add("--log-opt", "max-size="+strconv.FormatInt(l.MaxSize, 10))
	}
	if l.MaxFile > 0 {
		a.add("--log-opt", "max-file="+strconv.Itoa(l.MaxFile))
	}
}

func (a *args) network(cfg *container.Config) {
	switch {
	case len(cfg.Networks) == 1:
		n := cfg.Networks[0]
		if n.Name != container.DefaultNetwork {
			a.add("--network", n.Name)
		}
		a.each("--network-alias", n.Aliases)
		for _, ip := range n.IPs {
			flag := "--ip"
			if strings.Contains(ip, ":") {
				flag = "--ip6"
			}
			a.add(flag, ip)
		}
		if n.MAC != "" {
			a.add("--mac-address", n.MAC)
		}
	case len(cfg.Networks) > 1:
		for _, n := range cfg.Networks {
			var opts []string
			for _, ip := range n.IPs {
				opts = append(opts, "ip="+ip)
			}
			for _, al := range n.Aliases {
				opts = append(opts, "alias="+al)
			}
			if n.MAC != "" {
				opts = append(opts, "mac="+n.MAC)
			}
			v := n.Name
			if len(opts) > 0 {
				v += ":" + strings.Join(opts, ",")
			}
			a.add("--network", v)
		}
	case cfg.NetworkMode != "":
		mode := cfg.NetworkMode
		if len(cfg.NetworkOptions) > 0 {
			mode += ":" + strings.Join(cfg.NetworkOptions, ",")
		}
		a.add("--network", mode)
	}
	for _, p := range cfg.Ports {
		a.add("--publish", portSpec(p))
	}
	a.each("--expose", cfg.Expose)
	a.each("--dns", cfg.DNS)
	a.each("--dns-search", cfg.DNSSearch)
	a.each("--dns-option", cfg.DNSOptions)
	a.each("--add-host", cfg.ExtraHosts)
}

// portSpec is -p's [IP:][HOSTPORT:]CTRPORT[/udp] for one mapping.
func portSpec(p container.PortMapping) string {
	s := strconv.Itoa(int(p.ContainerPort))
	if p.HostPort != 0 || p.HostIP != "" {
		host := ""
		if p.HostPort != 0 {
			host = strconv.Itoa(int(p.HostPort))
		}
		s = host + ":" + s
	}
	if p.HostIP != "" {
		ip := p.HostIP
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		s = ip + ":" + s
	}
	if p.Protocol != "" && p.Protocol != "tcp" {
		s += "/" + p.Protocol
	}
	return s
}

// The flags a mount can be written with, in the order run parses them:
// -v, then --mount, then --tmpfs.
const (
	phaseVolume = iota
	phaseMount
	phaseTmpfs
)

// mounts adds the flags of cfg's mounts. Each mount is written with the
// flag that reads back to the same Mount, choosing, where two would,
// the one that keeps the mounts in their order (run reads all -v, then
// all --mount, then all --tmpfs).
func (a *args) mounts(cfg *container.Config, img *container.ImageConfig) error {
	phase := phaseVolume
	for _, m := range cfg.Mounts {
		if img != nil && m.Anonymous && m.Mode == "" && imageVolume(img, m.Destination) {
			continue
		}
		forms, err := mountForms(m)
		if err != nil {
			return fmt.Errorf("container %s: %w", cfg.Name, err)
		}
		p := -1
		for q := phase; q <= phaseTmpfs; q++ {
			if forms[q] != nil {
				p = q
				break
			}
		}
		if p < 0 {
			// Only an earlier flag can say it: the mounts' order changes.
			for q := phaseVolume; p < 0 && q <= phaseTmpfs; q++ {
				if forms[q] != nil {
					p = q
				}
			}
		}
		phase = max(phase, p)
		a.add(forms[p]...)
	}
	return nil
}

func imageVolume(img *container.ImageConfig, dst string) bool {
	for v := range img.Volumes {
		if path.Clean(v) == dst {
			return true
		}
	}
	return false
}

// mountForms returns, by phase, the flag and value that give m, or nil
// where that flag cannot.
func mountForms(m container.Mount) ([3][]string, error) {
	var f [3][]string
	if m.Type == container.MountTmpfs {
		if m.Mode != "" {
			f[phaseTmpfs] = []string{"--tmpfs", m.Destination + ":" + m.Mode}
			return f, nil
		}
		if !m.ReadOnly && len(m.Options) == 0 {
			f[phaseTmpfs] = []string{"--tmpfs", m.Destination}
		}
		v, err := mountFlag(m)
		if err != nil && f[phaseTmpfs] == nil {
			return f, err
		}
		if err == nil {
			f[phaseMount] = []string{"--mount", v}
		}
		return f, nil
	}
	src := m.Name
	switch {
	case m.Type == container.MountBind:
		src = m.Source
	case m.Anonymous:
		src = ""
	}
	if strings.Contains(src, ":") || strings.Contains(m.Destination, ":") {
		v, err := mountFlag(m)
		f[phaseMount] = []string{"--mount", v}
		return f, err
	}
	spec := m.Destination
	if src != "" {
		spec = src + ":" + spec
	}
	plain := !m.ReadOnly && !m.Chown && !m.NoCopy && len(m.Options) == 0 && m.Propagation == ""
	switch {
	case m.Mode != "":
		f[phaseVolume] = []string{"--volume", spec + ":" + m.Mode}
		return f, nil
	case m.Type == container.MountBind && m.CreateSource:
		f[phaseVolume] = []string{"--volume", spec}
		return f, nil
	case m.Type == container.MountVolume && plain:
		f[phaseVolume] = []string{"--volume", spec}
	}
	v, err := mountFlag(m)
	if err != nil && f[phaseVolume] == nil {
		return f, err
	}
	if err == nil {
		f[phaseMount] = []string{"--mount", v}
	}
	return f, nil
}

// mountFlag is the --mount value of m.
func mountFlag(m container.Mount) (string, error) {
	fields := []string{"type=" + m.Type}
	switch {
	case m.Type == container.MountBind:
		fields = append(fields, "src="+m.Source)
	case m.Type == container.MountVolume && !m.Anonymous:
		fields = append(fields, "src="+m.Name)
	}
	fields = append(fields, "dst="+m.Destination)
	if m.ReadOnly {
		fields = append(fields, "ro")
	}
	if m.NoCopy {
		fields = append(fields, "volume-nocopy")
	}
	if m.Chown {
		fields = append(fields, "chown")
	}
	if m.Propagation != "" {
		fields = append(fields, "bind-propagation="+m.Propagation)
	}
	for _, o := range m.Options {
		k, v, _ := strings.Cut(o, "=")
		switch {
		case m.Type == container.MountTmpfs && (k == "size" || k == "mode") && v != "":
			fields = append(fields, "tmpfs-"+o)
		case m.Type == container.MountDevpts:
			fields = append(fields, o)
		default:
			return "", fmt.Errorf("mount on %s: option %q has no --mount form", m.Destination, o)
		}
	}
	for _, f := range fields {
		if strings.Contains(f, ",") {
			return "", fmt.Errorf("mount on %s: %q holds a comma, which --mount cannot carry", m.Destination, f)
		}
	}
	return strings.Join(fields, ","), nil
}

// withoutPod is a pod's container's cfg without what joining the pod put
// there (--pod puts it again): the infra container's namespaces, its
// host name, and the requirement of it (the last of Requires).
func withoutPod(cfg *container.Config) *container.Config {
	c := *cfg
	if len(c.Requires) == 0 {
		return &c
	}
	infra := c.Requires[len(c.Requires)-1]
	ref := "container:" + infra
	c.Requires = c.Requires[:len(c.Requires)-1]
	if c.UTS == ref {
		c.Hostname = ""
	}
	for _, m := range []*string{&c.NetworkMode, &c.IPC, &c.UTS, &c.PID} {
		if *m == ref {
			*m = ""
		}
	}
	return &c
}
