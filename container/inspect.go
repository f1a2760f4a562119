package container

import "time"

// InspectData is a container as `pod inspect` shows it, shaped like
// Docker's ContainerJSON.
type InspectData struct {
	ID           string        `json:"Id"`
	Created      time.Time     `json:"Created"`
	Path         string        `json:"Path"`
	Args         []string      `json:"Args"`
	State        InspectState  `json:"State"`
	Image        string        `json:"Image"`
	ImageName    string        `json:"ImageName"`
	Name         string        `json:"Name"`
	RestartCount int           `json:"RestartCount"`
	Driver       string        `json:"Driver"`
	Config       InspectConfig `json:"Config"`
	HostConfig   InspectHost   `json:"HostConfig"`
	Mounts       []any         `json:"Mounts"`
	// NetworkSettings: see inspectNetwork.
	NetworkSettings InspectNetwork `json:"NetworkSettings"`
	// OCIRuntime is Podman's name for the runtime that runs it.
	OCIRuntime string `json:"OCIRuntime"`
	// Dependencies are Podman's: the IDs of the containers it requires.
	Dependencies []string `json:"Dependencies"`
	// Pod is the ID of the container's pod, IsInfra whether it is the
	// pod's infra container (Podman's keys).
	Pod     string `json:"Pod"`
	IsInfra bool   `json:"IsInfra"`
	// SizeRw and SizeRootFs are the writable layer's size and the whole
	// root filesystem's, with inspect --size.
	SizeRw     *int64 `json:"SizeRw,omitempty"`
	SizeRootFs *int64 `json:"SizeRootFs,omitempty"`
}

// Id answers Docker's spelling in --format templates ({{.Id}}), as
// Podman's inspect does beside {{.ID}}.
func (d InspectData) Id() string { return d.ID } //nolint:revive // Docker's key

// InspectState is Docker's State object.
type InspectState struct {
	Status     string `json:"Status"`
	Running    bool   `json:"Running"`
	Paused     bool   `json:"Paused"`
	Restarting bool   `json:"Restarting"`
	OOMKilled  bool   `json:"OOMKilled"`
	Dead       bool   `json:"Dead"`
	Pid        int    `json:"Pid"`
	ExitCode   int    `json:"ExitCode"`
	Error      string `json:"Error"`
	StartedAt  string `json:"StartedAt"`
	FinishedAt string `json:"FinishedAt"`
	// Health is there when the container has a health check.
	Health *HealthState `json:"Health,omitempty"`
}

// InspectConfig is Docker's Config object.
type InspectConfig struct {
	Hostname    string            `json:"Hostname"`
	User        string            `json:"User"`
	Tty         bool              `json:"Tty"`
	OpenStdin   bool              `json:"OpenStdin"`
	Env         []string          `json:"Env"`
	Cmd         []string          `json:"Cmd"`
	Image       string            `json:"Image"`
	WorkingDir  string            `json:"WorkingDir"`
	Entrypoint  []string          `json:"Entrypoint"`
	Labels      map[string]string `json:"Labels"`
	Annotations map[string]string `json:"Annotations,omitempty"`
	StopSignal  string            `json:"StopSignal,omitempty"`
	StopTimeout *int              `json:"StopTimeout,omitempty"`
	Healthcheck *HealthConfig     `json:"Healthcheck,omitempty"`
	// Secrets are the secrets the container is given (Podman's key):
	// names and where they go, never their data.
	Secrets []InspectSecret `json:"Secrets,omitempty"`
}

// InspectSecret is one of a container's secrets in inspect: Podman's
// keys, and pod's Type (mount, env) and Target.
type InspectSecret struct {
	ID     string `json:"ID"`
	Name   string `json:"Name"`
	Type   string `json:"Type"`
	Target string `json:"Target,omitempty"`
	UID    int    `json:"UID"`
	GID    int    `json:"GID"`
	Mode   uint32 `json:"Mode"`
}

// InspectHost is Docker's HostConfig object.
type InspectHost struct {
	AutoRemove     bool     `json:"AutoRemove"`
	NetworkMode    string   `json:"NetworkMode"`
	CapAdd         []string `json:"CapAdd"`
	CapDrop        []string `json:"CapDrop"`
	Privileged     bool     `json:"Privileged"`
	ReadonlyRootfs bool     `json:"ReadonlyRootfs"`
	SecurityOpt    []string `json:"SecurityOpt"`
	Runtime        string   `json:"Runtime"`
	// UsernsMode is Podman's: "" for the default user namespace (the
	// user's, from /etc/subuid), keep-id, or private for a map of the
	// user's choice (--uidmap...).
	UsernsMode string `json:"UsernsMode"`
	// The cgroup limits (pod update), 0 when not set, named as Docker
	// names them (templates use these names).
	Memory             int64  `json:"Memory"`
	MemoryReservation  int64  `json:"MemoryReservation"`
	MemorySwap         int64  `json:"MemorySwap"`
	MemorySwappiness   *int64 `json:"MemorySwappiness"`
	NanoCpus           int64  `json:"NanoCpus"`
	CpuShares          uint64 `json:"CpuShares"`
	CpuQuota           int64  `json:"CpuQuota"`
	CpuPeriod          uint64 `json:"CpuPeriod"`
	CpuRealtimePeriod  uint64 `json:"CpuRealtimePeriod"`
	CpuRealtimeRuntime int64  `json:"CpuRealtimeRuntime"`
	CpusetCpus         string `json:"CpusetCpus"`
	CpusetMems         string `json:"CpusetMems"`
	BlkioWeight        uint16 `json:"BlkioWeight"`
	// Init is --init, as Docker shows it.
	Init      bool  `json:"Init"`
	PidsLimit int64 `json:"PidsLimit"`
	// RestartPolicy and LogConfig: see inspectLifecycle.
	RestartPolicy InspectRestartPolicy `json:"RestartPolicy"`
	LogConfig     InspectLogConfig     `json:"LogConfig"`
	// PortBindings, Dns*, ExtraHosts: see inspectNetwork.
	PortBindings map[string][]InspectPortBinding `json:"PortBindings"`
	DNS          []string                        `json:"Dns"`
	DNSSearch    []string                        `json:"DnsSearch"`
	DNSOptions   []string                        `json:"DnsOptions"`
	ExtraHosts   []string                        `json:"ExtraHosts"`
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339Nano)
}

// Inspect shapes r for `pod inspect`; driver is the storage driver in use.
func (r *Record) Inspect(driver string) InspectData {
	c, s := r.Config, r.State
	status := s.Status
	running := r.Running()
	if status == StatusRunning && !running {
		status = StatusExited
	}
	shown := string(status)
	if status == StatusRunning && s.Stopping {
		shown = "stopping" // Podman's state while pod stop waits
	}
	d := InspectData{
		ID: c.ID, Created: c.Created, Image: "sha256:" + c.ImageID, ImageName: c.Image,
		Name: c.Name, RestartCount: s.RestartCount, Driver: driver, Mounts: inspectMounts(c.Mounts), OCIRuntime: s.Runtime,
		Dependencies: append([]string{}, c.Requires...), Pod: c.Pod, IsInfra: c.Infra,
		State: InspectState{
			Status: shown, Running: running && status == StatusRunning, Paused: status == StatusPaused,
			OOMKilled: s.OOMKilled, Pid: s.Pid, ExitCode: s.ExitCode, Error: s.Error,
			StartedAt: formatTime(s.StartedAt), FinishedAt: formatTime(s.FinishedAt),
		},
		Config: InspectConfig{
			Hostname: c.Hostname, User: c.User, Tty: c.Tty, OpenStdin: c.Interactive, Env: c.Env,
			Cmd: c.Cmd, Image: c.Image, WorkingDir: c.WorkingDir, Entrypoint: c.Entrypoint, Labels: c.Labels, Annotations: c.Annotations,
			StopSignal: c.StopSignal, StopTimeout: c.StopTimeout, Secrets: inspectSecrets(c.Secrets),
		},
		HostConfig: InspectHost{
			AutoRemove: c.AutoRemove, NetworkMode: networkMode(c.NetworkMode), CapAdd: c.CapAdd, CapDrop: c.CapDrop,
			Privileged: c.Privileged, ReadonlyRootfs: c.ReadOnlyRootfs, SecurityOpt: c.SecurityOpt, Runtime: s.Runtime,
			UsernsMode: usernsMode(&c),
		},
	}
	r.inspectLifecycle(&d, running)
	r.inspectNetwork(&d)
	inspectResources(&d, c.Resources)
	d.HostConfig.Init = c.Init
	if d.Config.Hostname == "" {
		d.Config.Hostname = ShortID(c.ID)
	}
	if !d.State.Running {
		d.State.Pid = 0
	}
	if len(c.Command) > 0 {
		d.Path, d.Args = c.Command[0], c.Command[1:]
	}
	return d
}

func networkMode(m string) string {
	switch m {
	case "":
		return "private"
	case DefaultNetwork:
		return "bridge" // Docker's and Podman's name for the default network
	}
	return m
}

// inspectResources fills HostConfig's limits from r.
func inspectResources(d *InspectData, r *Resources) {
	if r == nil {
		return
	}
	h := &d.HostConfig
	val := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	uval := func(p *uint64) uint64 {
		if p == nil {
			return 0
		}
		return *p
	}
	h.Memory, h.MemoryReservation, h.MemorySwap = val(r.Memory), val(r.MemoryReservation), val(r.MemorySwap)
	if r.MemorySwappiness != nil {
		s := int64(*r.MemorySwappiness)
		h.MemorySwappiness = &s
	}
	h.CpuShares, h.CpuQuota, h.CpuPeriod = uval(r.CPUShares), val(r.CPUQuota), uval(r.CPUPeriod)
	h.CpuRealtimePeriod, h.CpuRealtimeRuntime = uval(r.CPURtPeriod), val(r.CPURtRuntime)
	if h.CpuQuota > 0 && h.CpuPeriod > 0 {
		h.NanoCpus = h.CpuQuota * 1e9 / int64(h.CpuPeriod)
	}
	h.CpusetCpus, h.CpusetMems = r.CpusetCpus, r.CpusetMems
	if r.BlkioWeight != nil {
		h.BlkioWeight = *r.BlkioWeight
	}
	h.PidsLimit = val(r.PidsLimit)
}

// usernsMode is HostConfig.UsernsMode as Podman shows it.
func usernsMode(c *Config) string {
	switch {
	case c.UserNS != "":
		return c.UserNS
	case c.IDMap != nil:
		return "private"
	}
	return ""
}

func inspectSecrets(refs []SecretRef) []InspectSecret {
	var out []InspectSecret
	for _, r := range refs {
		out = append(out, InspectSecret{ID: r.ID, Name: r.Name, Type: r.Type, Target: r.Target, UID: r.UID, GID: r.GID, Mode: r.FileMode()})
	}
	return out
}
