package container

import (
	"time"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Config is the one description of a container: the CLI fills it at create
// time, it is stored as config.json in the container's directory, and the
// runtime spec, ps, inspect and the monitor all read it. A zero field means
// "the image's value, or Docker's default".
type Config struct {
	// Version is the record's schema (RecordVersion when written).
	Version int       `json:"version"`
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`

	// Engine is the name pod was called by when it made the container
	// (pod, podman or docker): the container's $container and
	// /run/.containerenv say it.
	Engine string `json:"engine,omitempty"`

	// Rootfs is --rootfs: the container runs in this host directory
	// itself, with no image (Image and ImageID are empty) and no layer of
	// its own in use.
	Rootfs string `json:"rootfs,omitempty"`

	// Image is the reference the user gave; ImageID the resolved image.
	Image   string `json:"image"`
	ImageID string `json:"imageId"`

	// Entrypoint and Cmd as given on the command line; nil means the image's.
	// An empty, non-nil Entrypoint clears the image's entrypoint.
	Entrypoint []string `json:"entrypoint"`
	Cmd        []string `json:"cmd,omitempty"`
	// Command is what the container runs, entrypoint and cmd resolved against
	// the image at create time (shown by ps and inspect).
	Command []string `json:"command,omitempty"`
	// Env holds KEY=VALUE pairs from -e and --env-file, applied over the image's.
	Env []string `json:"env,omitempty"`
	// EnvMerge (--env-merge KEY=VALUE, ${KEY} being the image's value),
	// UnsetEnv (--unsetenv) and UnsetEnvAll (--unsetenv-all) change the
	// default and the image's variables before Env is applied.
	EnvMerge    []string `json:"envMerge,omitempty"`
	UnsetEnv    []string `json:"unsetEnv,omitempty"`
	UnsetEnvAll bool     `json:"unsetEnvAll,omitempty"`
	// WorkingDir overrides the image's; created in the rootfs when missing.
	WorkingDir string `json:"workingDir,omitempty"`
	// User is USER[:GROUP] by name or number; empty means the image's user.
	User     string            `json:"user,omitempty"`
	Hostname string            `json:"hostname,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`

	// Build marks a build's working container (a RUN step), which the
	// build itself runs; the next build removes one its killed build left.
	Build bool `json:"build,omitempty"`

	Interactive bool `json:"interactive,omitempty"` // -i: keep stdin open
	Tty         bool `json:"tty,omitempty"`         // -t: allocate a PTY
	AutoRemove  bool `json:"autoRemove,omitempty"`  // --rm

	// NetworkMode is "none", "host", "pasta", "slirp4netns" (a stack of
	// the container's own), "container:" or "ns:", or with Networks the
	// name of the first network (DefaultNetwork for a container run with
	// no --network). "" is a stack of its own too: containers made before
	// the default network, and those made where no stack works.
	NetworkMode string `json:"networkMode,omitempty"`
	// Networks are the user-defined networks the container is linked to
	// (--network NAME), with its --network-alias names.
	Networks []NetworkAttachment `json:"networks,omitempty"`

	CapAdd         []string `json:"capAdd,omitempty"`
	CapDrop        []string `json:"capDrop,omitempty"`
	Privileged     bool     `json:"privileged,omitempty"`
	ReadOnlyRootfs bool     `json:"readOnlyRootfs,omitempty"`
	// SecurityOpt holds Docker's --security-opt values: "seccomp=unconfined",
	// "seccomp=/path/profile.json", "no-new-privileges[:true|false]".
	SecurityOpt []string `json:"securityOpt,omitempty"`
	// SeccompProfile is the content of a seccomp=FILE profile, read at create
	// time so the container does not depend on the file later.
	SeccompProfile []byte `json:"seccompProfile,omitempty"`

	StopSignal  string `json:"stopSignal,omitempty"`
	StopTimeout *int   `json:"stopTimeout,omitempty"`

	// Volumes and mounts (named volumes issue): -v, --mount, --tmpfs and
	// the image's VOLUMEs as parsed mounts, and --volumes-from as given
	// (CONTAINER[:ro|rw]), its mounts merged into Mounts at create time.
	Mounts      []Mount  `json:"mounts,omitempty"`
	VolumesFrom []string `json:"volumesFrom,omitempty"`
	// Init runs an init as PID 1 (--init): InitPath's executable, or
	// pod's own ("" ), which starts the command, forwards signals and
	// reaps.
	Init     bool   `json:"init,omitempty"`
	InitPath string `json:"initPath,omitempty"`
	// HostUsers are --hostuser's host accounts, added to the container's
	// /etc/passwd; NoPasswd is --passwd=false (no entry for a numeric
	// --user the image lacks); PasswdEntry is --passwd-entry's template.
	HostUsers   []string `json:"hostUsers,omitempty"`
	NoPasswd    bool     `json:"noPasswd,omitempty"`
	PasswdEntry string   `json:"passwdEntry,omitempty"`
	// UserNS is --userns ("" pod's namespace, or keep-id); IDMap the
	// container's own namespace's IDs, worked out at create from keep-id
	// or the maps below.
	UserNS string `json:"userns,omitempty"`
	IDMap  *IDMap `json:"idMap,omitempty"`
	// OOMKillDisable is --oom-kill-disable (a rootful container's cgroup
	// v1 memory controller); DeviceCgroupRules are --device-cgroup-rule's
	// rules ("c 1:3 mr"), of a rootful container's device cgroup.
	OOMKillDisable    bool     `json:"oomKillDisable,omitempty"`
	DeviceCgroupRules []string `json:"deviceCgroupRules,omitempty"`
	// AttachStreams are create's --attach: the streams start --attach
	// joins (none: all).
	AttachStreams []string `json:"attachStreams,omitempty"`
	// Requires are the full IDs of the containers started before this
	// one (--requires); none of them can be removed while it exists.
	Requires []string `json:"requires,omitempty"`
	// Pod is the ID of the pod the container belongs to (run --pod: its
	// name or ID as given, or new:NAME, until create resolves it);
	// Infra marks the pod's infra container, which holds the shared
	// namespaces (pod's own executable pausing, in an empty root); InitCtr
	// is create's --init-ctr (always, once): the container runs to its end
	// at every start of its pod (or the first) before the others start.
	Pod     string `json:"pod,omitempty"`
	Infra   bool   `json:"infra,omitempty"`
	InitCtr string `json:"initCtr,omitempty"`
	// DefaultEnv and DefaultCaps are containers.conf's env (below the
	// image's) and default_capabilities (in place of Docker's set), as
	// they were at create.
	DefaultEnv  []string `json:"defaultEnv,omitempty"`
	DefaultCaps []string `json:"defaultCaps,omitempty"`
	// Timeout is --timeout: the seconds each run may last before it is
	// killed (SIGKILL, exit 137); 0 for no limit.
	Timeout uint `json:"timeout,omitempty"`
	// ChrootDirs get pod's /etc files and /run/.containerenv too, under
	// each (--chrootdirs).
	ChrootDirs []string `json:"chrootDirs,omitempty"`
	// UIDMaps and GIDMaps are --uidmap and --gidmap as given, SubUIDName
	// and SubGIDName --subuidname and --subgidname: a user namespace of
	// the container's own, worked out into IDMap at create.
	UIDMaps    []string `json:"uidMaps,omitempty"`
	GIDMaps    []string `json:"gidMaps,omitempty"`
	SubUIDName string   `json:"subUIDName,omitempty"`
	SubGIDName string   `json:"subGIDName,omitempty"`
	// IPC, PID, UTS and CgroupNS are --ipc, --pid, --uts and --cgroupns
	// (see CheckNamespaceMode; "" the default).
	IPC      string `json:"ipc,omitempty"`
	PID      string `json:"pid,omitempty"`
	UTS      string `json:"uts,omitempty"`
	CgroupNS string `json:"cgroupns,omitempty"`
	// ImageVolume is --image-volume: what the image's VOLUMEs become:
	// "" or "bind" anonymous volumes, "tmpfs" tmpfs mounts, "ignore"
	// nothing (the image's files stay in the container's layer).
	ImageVolume string `json:"imageVolume,omitempty"`
	// Personality is --personality's execution domain (LINUX, LINUX32).
	Personality string `json:"personality,omitempty"`
	// CgroupConf are --cgroup-conf's cgroup v2 files and values.
	CgroupConf map[string]string `json:"cgroupConf,omitempty"`
	// CgroupParent is --cgroup-parent: the cgroup a rootful container's
	// goes under (default /pod).
	CgroupParent string `json:"cgroupParent,omitempty"`
	// Devices are --device's host device nodes (HOST[:CONTAINER][:PERMS]).
	Devices []string `json:"devices,omitempty"`
	// GroupAdd are --group-add's groups (names or GIDs), added to the
	// user's; OOMScoreAdj is --oom-score-adj; NoReadOnlyTmpfs is
	// --read-only-tmpfs=false (with --read-only, /run, /tmp and /var/tmp
	// are tmpfs otherwise, as Podman's).
	GroupAdd        []string `json:"groupAdd,omitempty"`
	OOMScoreAdj     *int     `json:"oomScoreAdj,omitempty"`
	NoReadOnlyTmpfs bool     `json:"noReadOnlyTmpfs,omitempty"`
	// Process settings: Ulimits are --ulimit NAME=SOFT[:HARD] (over pod's
	// defaults); ShmSize is /dev/shm's size in bytes (0: 64 MiB);
	// Sysctls are --sysctl; Umask is --umask (octal, "": 0022);
	// Timezone is --tz ("local" or a zoneinfo name); Annotations go into
	// the OCI spec.
	Ulimits     []string          `json:"ulimits,omitempty"`
	ShmSize     int64             `json:"shmSize,omitempty"`
	Sysctls     map[string]string `json:"sysctls,omitempty"`
	Umask       string            `json:"umask,omitempty"`
	Timezone    string            `json:"timezone,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Resources are the cgroup limits (pod update), applied where the
	// container has a cgroup of its own.
	Resources *Resources `json:"resources,omitempty"`
	// Secrets are --secret: pod secrets by ID, their data read at each
	// start, never kept in the record.
	Secrets []SecretRef `json:"secrets,omitempty"`

	// Logs, restart policy and health checks (lifecycle issue):
	// RestartPolicy is "no" (or ""), "always", "unless-stopped" or
	// "on-failure[:N]"; Health is --health-* (nil: the image's check, a
	// Test of ["NONE"]: none); LogConfig is --log-driver and --log-opt.
	RestartPolicy string        `json:"restartPolicy,omitempty"`
	Health        *HealthConfig `json:"health,omitempty"`
	LogConfig     LogConfig     `json:"logConfig,omitzero"`
	// ImageHealth is the image's HEALTHCHECK, read at create time.
	ImageHealth *HealthConfig `json:"imageHealth,omitempty"`

	// Networking (network issue): NetworkOptions are the driver's options
	// (--network pasta:OPT,… or slirp4netns:OPT,…); Ports the -p and -P
	// mappings, host ports chosen at create time; Expose the --expose and
	// image EXPOSE ports ("80/tcp"); DNS, DNSSearch, DNSOptions and
	// ExtraHosts ("NAME:IP") go into /etc/resolv.conf and /etc/hosts.
	NetworkOptions []string      `json:"networkOptions,omitempty"`
	Ports          []PortMapping `json:"ports,omitempty"`
	Expose         []string      `json:"expose,omitempty"`
	DNS            []string      `json:"dns,omitempty"`
	DNSSearch      []string      `json:"dnsSearch,omitempty"`
	DNSOptions     []string      `json:"dnsOptions,omitempty"`
	ExtraHosts     []string      `json:"extraHosts,omitempty"`
	// NoHosts leaves the image's /etc/hosts alone (--no-hosts).
	NoHosts    bool   `json:"noHosts,omitempty"`
	Domainname string `json:"domainname,omitempty"`

	// Running under a systemd unit: SdNotify is --sdnotify
	// ("" is container: the container's own READY=1 reaches systemd;
	// conmon: the monitor's, once the container runs; healthy: after the
	// first passing health check; ignore); PidFile and MonitorPidFile
	// receive the container's and the monitor's PIDs (--pidfile,
	// --conmon-pidfile); Cgroups is --cgroups (enabled, disabled,
	// no-conmon, split).
	SdNotify       string `json:"sdNotify,omitempty"`
	PidFile        string `json:"pidFile,omitempty"`
	MonitorPidFile string `json:"monitorPidFile,omitempty"`
	Cgroups        string `json:"cgroups,omitempty"`
	// Systemd is --systemd: "" (true), "always" or "false" (see
	// SystemdMode).
	Systemd string `json:"systemd,omitempty"`
}

// The --sdnotify modes.
// DefaultNetwork is the network of containers run with no --network: a
// bridge in the rootless network namespace, as Podman's "podman".
const DefaultNetwork = "pod"

const (
	SdNotifyContainer = "container"
	SdNotifyConmon    = "conmon"
	SdNotifyHealthy   = "healthy"
	SdNotifyIgnore    = "ignore"
)

// PortMapping is one published port: HostIP:HostPort on the host to
// ContainerPort in the container (Protocol "tcp" or "udp").
type PortMapping struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// ImageConfig is the part of an image's OCI configuration a container uses.
type ImageConfig = v1.ImageConfig

// NetworkAttachment is a container's membership of a user-defined network.
type NetworkAttachment struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	// IPs are the addresses asked for (--ip, --ip6, ip=), MAC the
	// hardware address (--mac-address, mac=).
	IPs []string `json:"ips,omitempty"`
	MAC string   `json:"mac,omitempty"`
}
