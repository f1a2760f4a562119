package compose

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// supportedKeys are the service keys pod compose turns into pod's flags;
// any other set in a file is refused by name (Unsupported).
var supportedKeys = map[string]bool{
	"name": true, "profiles": true, "deploy": true, "restart": true, "scale": true, "container_name": true,
	"extends": true, "annotations": true, "cap_add": true, "cap_drop": true, "cgroup_parent": true,
	"command": true, "configs": true, "devices": true, "dns": true, "dns_opt": true, "dns_search": true,
	"domainname": true, "entrypoint": true, "environment": true, "env_file": true, "extra_hosts": true,
	"group_add": true, "hostname": true, "image": true, "init": true, "ipc": true, "labels": true,
	"logging": true, "mem_limit": true, "mem_reservation": true, "memswap_limit": true, "network_mode": true,
	"networks": true, "oom_score_adj": true, "pid": true, "pids_limit": true, "privileged": true,
	"pull_policy": true, "read_only": true, "secrets": true, "security_opt": true, "shm_size": true,
	"stop_grace_period": true, "stop_signal": true, "sysctls": true, "tmpfs": true, "ulimits": true,
	"user": true, "userns_mode": true, "uts": true, "volumes": true, "volumes_from": true, "working_dir": true,
	"cpus": true, "cpu_shares": true, "build": true, "depends_on": true, "expose": true, "healthcheck": true,
	"ports": true, "stdin_open": true, "tty": true, "mac_address": true, "platform": true,
}

// Unsupported names the keys of s that are set and pod compose does not
// take ("services.web.gpus"), and the deploy keys but replicas, resources'
// limits and restart_policy.
func Unsupported(s types.ServiceConfig) []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if f.Anonymous && strings.Contains(f.Tag.Get("yaml"), "inline") && f.Type.Kind() == reflect.Struct {
				walk(v.Field(i))
				continue
			}
			if tag == "" || tag == "-" || strings.HasPrefix(tag, "#") || v.Field(i).IsZero() {
				continue
			}
			if !supportedKeys[tag] {
				out = append(out, "services."+s.Name+"."+tag)
			}
		}
	}
	walk(reflect.ValueOf(s))
	if h := s.HealthCheck; h != nil && h.StartInterval != nil {
		out = append(out, "services."+s.Name+".healthcheck.start_interval")
	}
	if d := s.Deploy; d != nil {
		if d.Mode != "" && d.Mode != "replicated" {
			out = append(out, "services."+s.Name+".deploy.mode: "+d.Mode)
		}
		if d.Resources.Reservations != nil {
			out = append(out, "services."+s.Name+".deploy.resources.reservations")
		}
		if d.UpdateConfig != nil || d.RollbackConfig != nil || len(d.Placement.Constraints) > 0 || len(d.Placement.Preferences) > 0 || d.EndpointMode != "" {
			out = append(out, "services."+s.Name+".deploy (update_config, rollback_config, placement, endpoint_mode)")
		}
	}
	sort.Strings(out)
	return out
}

// ProjectUnsupported are the project's keys pod compose refuses: its
// services' (Unsupported), networks that are not bridges, volumes with
// drivers but local, secrets and configs that are not files.
func ProjectUnsupported(p *types.Project) []string {
	var out []string
	for _, s := range p.Services {
		out = append(out, Unsupported(s)...)
	}
	for k, n := range p.Networks {
		if n.Driver != "" && n.Driver != "bridge" {
			out = append(out, "networks."+k+".driver: "+n.Driver)
		}
	}
	for k, v := range p.Volumes {
		if v.Driver != "" && v.Driver != "local" {
			out = append(out, "volumes."+k+".driver: "+v.Driver)
		}
	}
	for k, s := range p.Secrets {
		if s.File == "" {
			out = append(out, "secrets."+k+" (only file: secrets)")
		}
	}
	for k, c := range p.Configs {
		if c.File == "" {
			out = append(out, "configs."+k+" (only file: configs)")
		}
	}
	for k := range p.Models {
		out = append(out, "models."+k)
	}
	sort.Strings(out)
	return out
}

// CreateArgs are the arguments of `pod create` (after "create") that make
// replica n of service s: its name, the project's labels and the service's
// settings as pod's flags, then its image and command.
func CreateArgs(p *types.Project, s types.ServiceConfig, n int, hash string) ([]string, error) {
	a := []string{"--name", ContainerName(p, s, n)}
	add := func(flag string, vs ...string) {
		for _, v := range vs {
			a = append(a, flag, v)
		}
	}
	str := func(flag, v string) {
		if v != "" {
			add(flag, v)
		}
	}
	boolean := func(flag string, v bool) {
		if v {
			a = append(a, flag)
		}
	}
	labels := map[string]string{
		LabelProject: p.Name, LabelService: s.Name, LabelNumber: strconv.Itoa(n), LabelOneOff: "False",
		LabelConfigHash: hash, LabelWorkingDir: p.WorkingDir, LabelConfigFiles: strings.Join(p.ComposeFiles, ","),
	}
	maps.Copy(labels, s.Labels)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		add("--label", k+"="+labels[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Annotations)) {
		add("--annotation", k+"="+s.Annotations[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Environment)) {
		if v := s.Environment[k]; v != nil {
			add("--env", k+"="+*v)
		}
	}
	str("--hostname", s.Hostname)
	str("--domainname", s.DomainName)
	str("--user", s.User)
	str("--workdir", s.WorkingDir)
	str("--stop-signal", s.StopSignal)
	if s.StopGracePeriod != nil {
		add("--stop-timeout", strconv.Itoa(int(time.Duration(*s.StopGracePeriod).Seconds())))
	}
	boolean("--privileged", s.Privileged)
	boolean("--read-only", s.ReadOnly)
	boolean("--tty", s.Tty)
	boolean("--interactive", s.StdinOpen)
	if s.Init != nil && *s.Init {
		a = append(a, "--init")
	}
	add("--cap-add", s.CapAdd...)
	add("--cap-drop", s.CapDrop...)
	add("--security-opt", s.SecurityOpt...)
	add("--group-add", s.GroupAdd...)
	add("--dns", s.DNS...)
	add("--dns-search", s.DNSSearch...)
	add("--dns-option", s.DNSOpts...)
	for _, h := range slices.Sorted(maps.Keys(s.ExtraHosts)) {
		for _, ip := range s.ExtraHosts[h] {
			add("--add-host", h+":"+ip)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Sysctls)) {
		add("--sysctl", k+"="+s.Sysctls[k])
	}
	for _, k := range slices.Sorted(maps.Keys(s.Ulimits)) {
		u := s.Ulimits[k]
		if u.Single != 0 {
			add("--ulimit", fmt.Sprintf("%s=%d", k, u.Single))
		} else {
			add("--ulimit", fmt.Sprintf("%s=%d:%d", k, u.Soft, u.Hard))
		}
	}
	for _, d := range s.Devices {
		v := d.Source
		if d.Target != "" {
			v += ":" + d.Target
		}
		if d.Permissions != "" {
			v += ":" + d.Permissions
		}
		add("--device", v)
	}
	add("--tmpfs", s.Tmpfs...)
	str("--pid", s.Pid)
	str("--ipc", s.Ipc)
	str("--uts", s.Uts)
	str("--userns", s.UserNSMode)
	str("--cgroup-parent", s.CgroupParent)
	str("--platform", s.Platform)
	if s.ShmSize > 0 {
		add("--shm-size", strconv.FormatInt(int64(s.ShmSize), 10))
	}
	if s.OomScoreAdj != 0 {
		add("--oom-score-adj", strconv.FormatInt(s.OomScoreAdj, 10))
	}
	// Resources: the service's keys, or deploy.resources.limits.
	mem, cpus, pids := int64(s.MemLimit), float64(s.CPUS), s.PidsLimit
	if d := s.Deploy; d != nil && d.Resources.Limits != nil {
		l := d.Resources.Limits
		mem = max(mem, int64(l.MemoryBytes))
		if float64(l.NanoCPUs) > 0 {
			cpus = float64(l.NanoCPUs)
		}
		if l.Pids > 0 {
			pids = l.Pids
		}
	}
	if mem > 0 {
		add("--memory", strconv.FormatInt(mem, 10))
	}
	if s.MemReservation > 0 {
		add("--memory-reservation", strconv.FormatInt(int64(s.MemReservation), 10))
	}
	if s.MemSwapLimit != 0 {
		add("--memory-swap", strconv.FormatInt(int64(s.MemSwapLimit), 10))
	}
	if cpus > 0 {
		add("--cpus", strconv.FormatFloat(cpus, 'f', -1, 64))
	}
	if s.CPUShares > 0 {
		add("--cpu-shares", strconv.FormatInt(s.CPUShares, 10))
	}
	if pids != 0 {
		add("--pids-limit", strconv.FormatInt(pids, 10))
	}
	if r := restartPolicy(s); r != "" {
		add("--restart", r)
	}
	if l := s.Logging; l != nil {
		str("--log-driver", l.Driver)
		for _, k := range slices.Sorted(maps.Keys(l.Options)) {
			add("--log-opt", k+"="+l.Options[k])
		}
	}
	h, err := healthArgs(s.HealthCheck)
	if err != nil {
		return nil, fmt.Errorf("services.%s.healthcheck: %w", s.Name, err)
	}
	a = append(a, h...)
	if err := networkArgs(p, s, add); err != nil {
		return nil, err
	}
	for _, e := range s.Expose {
		add("--expose", e)
	}
	for _, port := range s.Ports {
		v := strconv.FormatUint(uint64(port.Target), 10)
		if port.Published != "" {
			v = port.Published + ":" + v
		} else if port.HostIP != "" {
			v = ":" + v
		}
		if port.HostIP != "" {
			v = port.HostIP + ":" + v
		}
		if port.Protocol != "" && port.Protocol != "tcp" {
			v += "/" + port.Protocol
		}
		add("--publish", v)
	}
	if err := volumeArgs(p, s, add); err != nil {
		return nil, err
	}
	for _, v := range s.VolumesFrom {
		if svc, ok := strings.CutPrefix(v, "service:"); ok {
			other, err := p.GetService(strings.Split(svc, ":")[0])
			if err != nil {
				return nil, fmt.Errorf("services.%s.volumes_from %s: %w", s.Name, v, err)
			}
			rest := strings.TrimPrefix(svc, other.Name)
			v = ContainerName(p, other, 1) + rest
		}
		add("--volumes-from", strings.TrimPrefix(v, "container:"))
	}
	for _, f := range []struct {
		kind  string
		refs  []types.ServiceConfigObjConfig
		files map[string]types.FileObjectConfig
		dir   string
	}{{"secrets", toObj(s.Secrets), secretFiles(p.Secrets), "/run/secrets"}, {"configs", s.Configs, configFiles(p.Configs), "/"}} {
		for _, r := range f.refs {
			o, ok := f.files[r.Source]
			if !ok || o.File == "" {
				return nil, fmt.Errorf("services.%s.%s: %s is not a file %s of the project", s.Name, f.kind, r.Source, strings.TrimSuffix(f.kind, "s"))
			}
			target := r.Target
			if target == "" {
				target = r.Source
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(f.dir, target)
			}
			add("--mount", "type=bind,src="+o.File+",dst="+target+",ro")
		}
	}
	if s.PullPolicy == types.PullPolicyNever || s.PullPolicy == types.PullPolicyAlways || s.PullPolicy == types.PullPolicyMissing {
		add("--pull", s.PullPolicy)
	}
	if s.Entrypoint != nil {
		b, err := json.Marshal([]string(s.Entrypoint))
		if err != nil {
			return nil, err
		}
		add("--entrypoint", string(b))
	}
	image := ImageName(p, s)
	a = append(a, image)
	a = append(a, s.Command...)
	return a, nil
}

func toObj(in []types.ServiceSecretConfig) []types.ServiceConfigObjConfig {
	out := make([]types.ServiceConfigObjConfig, len(in))
	for i, s := range in {
		out[i] = types.ServiceConfigObjConfig(s)
	}
	return out
}

func secretFiles(in types.Secrets) map[string]types.FileObjectConfig {
	out := map[string]types.FileObjectConfig{}
	for k, v := range in {
		out[k] = types.FileObjectConfig(v)
	}
	return out
}

func configFiles(in types.Configs) map[string]types.FileObjectConfig {
	out := map[string]types.FileObjectConfig{}
	for k, v := range in {
		out[k] = types.FileObjectConfig(v)
	}
	return out
}

// ImageName is the image of s: image:, else the image a build makes
// (PROJECT-SERVICE, as Docker Compose names it).
func ImageName(p *types.Project, s types.ServiceConfig) string {
	if s.Image != "" {
		return s.Image
	}
	return p.Name + "-" + s.Name
}

func restartPolicy(s types.ServiceConfig) string {
	if d := s.Deploy; d != nil && d.RestartPolicy != nil {
		switch d.RestartPolicy.Condition {
		case "none":
			return "no"
		case "on-failure":
			if m := d.RestartPolicy.MaxAttempts; m != nil {
				return fmt.Sprintf("on-failure:%d", *m)
			}
			return "on-failure"
		case "any", "":
			return "always"
		}
	}
	return s.Restart
}

func healthArgs(h *types.HealthCheckConfig) ([]string, error) {
	if h == nil {
		return nil, nil
	}
	if h.Disable || (len(h.Test) > 0 && h.Test[0] == "NONE") {
		return []string{"--no-healthcheck"}, nil
	}
	var a []string
	if len(h.Test) > 0 {
		b, err := json.Marshal([]string(h.Test))
		if err != nil {
			return nil, err
		}
		a = append(a, "--health-cmd", string(b))
	}
	for _, d := range []struct {
		flag string
		d    *types.Duration
	}{{"--health-interval", h.Interval}, {"--health-timeout", h.Timeout}, {"--health-start-period", h.StartPeriod}} {
		if d.d != nil {
			a = append(a, d.flag, time.Duration(*d.d).String())
		}
	}
	if h.Retries != nil {
		a = append(a, "--health-retries", strconv.FormatUint(*h.Retries, 10))
	}
	return a, nil
}

func networkArgs(p *types.Project, s types.ServiceConfig, add func(string, ...string)) error {
	switch mode := s.NetworkMode; {
	case mode == "":
	case strings.HasPrefix(mode, "service:"):
		other, err := p.GetService(strings.TrimPrefix(mode, "service:"))
		if err != nil {
			return fmt.Errorf("services.%s.network_mode %s: %w", s.Name, mode, err)
		}
		add("--network", "container:"+ContainerName(p, other, 1))
		return nil
	default:
		add("--network", mode)
		return nil
	}
	for _, key := range s.NetworksByPriority() {
		v := NetworkName(p, key)
		var opts []string
		c := s.Networks[key]
		if c == nil || c.UseServiceNameAlias == nil || *c.UseServiceNameAlias {
			opts = append(opts, "alias="+s.Name)
		}
		if c != nil {
			for _, al := range c.Aliases {
				opts = append(opts, "alias="+al)
			}
			if c.Ipv4Address != "" {
				opts = append(opts, "ip="+c.Ipv4Address)
			}
			if c.Ipv6Address != "" {
				opts = append(opts, "ip6="+c.Ipv6Address)
			}
		}
		if len(opts) > 0 {
			v += ":" + strings.Join(opts, ",")
		}
		add("--network", v)
	}
	if s.MacAddress != "" {
		add("--mac-address", s.MacAddress)
	}
	return nil
}

func volumeArgs(p *types.Project, s types.ServiceConfig, add func(string, ...string)) error {
	for _, v := range s.Volumes {
		fields := []string{"type=" + v.Type}
		switch v.Type {
		case types.VolumeTypeVolume:
			if v.Source != "" {
				fields = append(fields, "src="+VolumeName(p, v.Source))
			}
			if v.Volume != nil && v.Volume.NoCopy {
				fields = append(fields, "volume-nocopy")
			}
		case types.VolumeTypeBind:
			if v.Bind == nil || bool(v.Bind.CreateHostPath) {
				// -v's form makes a missing host directory, as Compose does.
				spec := v.Source + ":" + v.Target
				if v.ReadOnly {
					spec += ":ro"
				}
				add("--volume", spec)
				continue
			}
			fields = append(fields, "src="+v.Source)
			if v.Bind.Propagation != "" {
				fields = append(fields, "bind-propagation="+v.Bind.Propagation)
			}
		case types.VolumeTypeTmpfs:
			if v.Tmpfs != nil && v.Tmpfs.Size > 0 {
				fields = append(fields, "tmpfs-size="+strconv.FormatInt(int64(v.Tmpfs.Size), 10))
			}
			if v.Tmpfs != nil && v.Tmpfs.Mode != 0 {
				fields = append(fields, "tmpfs-mode="+strconv.FormatUint(uint64(v.Tmpfs.Mode), 8))
			}
		default:
			return fmt.Errorf("services.%s.volumes: type %s is not supported (volume, bind or tmpfs)", s.Name, v.Type)
		}
		fields = append(fields, "dst="+v.Target)
		if v.ReadOnly {
			fields = append(fields, "ro")
		}
		add("--mount", strings.Join(fields, ","))
	}
	return nil
}
