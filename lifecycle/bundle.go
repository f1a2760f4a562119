package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/pod-project/pod/cdi"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/monitor/protocol"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/podinit"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/userns"
	"github.com/pod-project/pod/volumes"
)

// prepare resolves the user, command, environment and working directory,
// writes /etc files and the OCI spec into the bundle.
func prepare(rec *container.Record, img *container.ImageConfig, rootfs, bundle string, rootless bool) (*specs.Spec, error) {
	return prepareNet(rec, img, rootfs, bundle, rootless, netContext{})
}

// prepareNet is prepare with the container's network: a zero nc gives a
// private mode an empty namespace of its own (no user-mode stack).
func prepareNet(rec *container.Record, img *container.ImageConfig, rootfs, bundle string, rootless bool, nc netContext) (*specs.Spec, error) {
	cfg, err := withCDI(&rec.Config)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", rec.Config.Name, err))
	}
	u, err := container.ResolveUser(rootfs, container.UserSpec(cfg, img))
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s of image %s: %w", cfg.Name, cfg.Image, err))
	}
	more, err := container.AdditionalGroups(rootfs, cfg.GroupAdd)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	u.AdditionalGids = append(u.AdditionalGids, more...)
	args, err := container.Command(cfg, img)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	hostname := container.Hostname(cfg)
	env := container.Environment(cfg, img, hostname, u)
	cwd := container.WorkingDir(cfg, img)
	if err := makeWorkdir(rootfs, cwd, u); err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: creating working directory %s: %w", cfg.Name, cwd, err))
	}
	argv0 := args[0] // the command's own, before --init goes in front
	var initMount *specs.Mount
	if cfg.Init || cfg.Infra {
		// --init: the init (pod's own executable, or --init-path's) is PID
		// 1, the command its child; a pod's infra container runs it alone,
		// pausing.
		src := cfg.InitPath
		if src == "" {
			if src, err = userns.Helper(); err != nil {
				return nil, err
			}
		}
		if src, err = filepath.EvalSymlinks(src); err != nil {
			return nil, container.WithExitCode(125, fmt.Errorf("container %s: --init-path: %w", cfg.Name, err))
		}
		initMount = &specs.Mount{Destination: podinit.Path, Type: "bind", Source: src, Options: []string{"bind", "ro"}}
		args = append([]string{podinit.Path, "--"}, args...)
		if cfg.Infra {
			args, argv0 = []string{podinit.Path, podinit.Pause}, ""
		}
	}
	mounts, err := volumes.Prepare(cfg, rootfs, u)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	if err := container.LookPath(rootfs, env, cwd, argv0); argv0 != "" && err != nil && !onMount(mounts, env, cwd, argv0) {
		return nil, err
	}
	files, err := writeEtcFiles(bundle, hostname, cfg, nc)
	if err != nil {
		return nil, err
	}
	secretMounts, env, err := writeSecrets(nc.st, cfg, bundle, env)
	if err != nil {
		return nil, err
	}
	so := runtime.SpecOptions{
		Rootfs: rootfs, Rootless: rootless,
		HostsFile: files.hosts, HostnameFile: files.hostname, ResolvConfFile: files.resolv, NetNSPath: files.netns,
		User: u, ProcessArgs: args, Env: env, Cwd: cwd, CgroupV2: runtime.IsCgroupV2(),
		Mounts: mounts,
	}
	if cfg.NoHosts {
		so.HostsFile = ""
	}
	if cfg.IDMap != nil && rootless {
		if so.ParentUIDs, so.ParentGIDs, err = ownMaps(); err != nil {
			return nil, err
		}
	}
	if so.NamespacePaths, err = namespacePaths(nc.st, cfg); err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	if err := systemdOptions(cfg, &so); err != nil {
		return nil, container.WithExitCode(125, err)
	}
	spec, err := runtime.Spec(cfg, so)
	if err != nil {
		return nil, container.WithExitCode(125, fmt.Errorf("container %s: %w", cfg.Name, err))
	}
	spec.Mounts = append(spec.Mounts, secretMounts...)
	if nc.version != "" {
		// /etc/mtab, which mount and df read, as Podman makes it.
		mtab := filepath.Join(rootfs, "etc", "mtab")
		if _, err := os.Lstat(mtab); errors.Is(err, os.ErrNotExist) {
			if st, err := os.Stat(filepath.Dir(mtab)); err == nil && st.IsDir() {
				_ = os.Symlink("/proc/mounts", mtab)
			}
		}
		p := filepath.Join(bundle, "containerenv")
		if err := os.WriteFile(p, container.ContainerEnv(cfg, nc.version, rootless), 0o644); err != nil {
			return nil, err
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: container.ContainerEnvPath, Type: "bind", Source: p, Options: []string{"bind", "ro"}})
	}
	if initMount != nil {
		spec.Mounts = append(spec.Mounts, *initMount)
	}
	if pw, err := passwdEntries(cfg, rootfs, bundle, u, nc.version != "" && cfg.Rootfs == "" && !cfg.ReadOnlyRootfs); err != nil {
		return nil, err
	} else if pw != nil {
		spec.Mounts = append(spec.Mounts, *pw)
	}
	if tz := cfg.Timezone; tz != "" {
		// --tz: the host's zone file, read-only, as /etc/localtime.
		src := "/etc/localtime"
		if tz != "local" {
			src = filepath.Join("/usr/share/zoneinfo", tz)
		}
		real, err := filepath.EvalSymlinks(src)
		if err != nil {
			return nil, container.WithExitCode(125, fmt.Errorf("container %s: --tz %s: %w", cfg.Name, tz, err))
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: "/etc/localtime", Type: "bind", Source: real, Options: []string{"bind", "ro"}})
	}
	if nc.notify {
		// --sdnotify=container under a unit: the monitor listens in the
		// bundle's notify/, mounted where the container's NOTIFY_SOCKET
		// says.
		dir := filepath.Join(bundle, "notify")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		spec.Mounts = append(spec.Mounts, specs.Mount{Destination: protocol.NotifyDir, Type: "bind", Source: dir, Options: []string{"bind", "rw"}})
		spec.Process.Env = append(spec.Process.Env, "NOTIFY_SOCKET="+protocol.NotifyDir+"/notify.sock")
	}
	// --chrootdirs: pod's files again under each, for a chroot there.
	for _, dir := range cfg.ChrootDirs {
		for _, m := range spec.Mounts {
			switch m.Destination {
			case "/etc/hosts", "/etc/hostname", "/etc/resolv.conf", container.ContainerEnvPath:
				m.Destination = filepath.Join(dir, m.Destination)
				spec.Mounts = append(spec.Mounts, m)
			}
		}
	}
	if files.waitNetwork {
		spec.Hooks = &specs.Hooks{CreateRuntime: []specs.Hook{slirp.WaitHook(bundle)}}
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	if err := storage.WriteFileAtomic(filepath.Join(bundle, "config.json"), b, 0o600); err != nil {
		return nil, err
	}
	return spec, nil
}

func makeWorkdir(rootfs, cwd string, u container.ExecUser) error {
	p, err := securejoin.SecureJoin(rootfs, cwd)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(p); err == nil {
		if !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", cwd)
		}
		return nil
	}
	if err := os.MkdirAll(p, 0o755); err != nil {
		return err
	}
	return os.Lchown(p, int(u.UID), int(u.GID))
}

// namespacePaths are the namespaces --ipc, --pid, --uts and --cgroupns
// name: ns:PATH as given, container:NAME that running container's.
func namespacePaths(st storage.Store, cfg *container.Config) (map[specs.LinuxNamespaceType]string, error) {
	out := map[specs.LinuxNamespaceType]string{}
	for _, ns := range []struct {
		t          specs.LinuxNamespaceType
		flag, mode string
	}{{specs.IPCNamespace, "--ipc", cfg.IPC}, {specs.PIDNamespace, "--pid", cfg.PID}, {specs.UTSNamespace, "--uts", cfg.UTS}, {specs.CgroupNamespace, "--cgroupns", cfg.CgroupNS}} {
		switch {
		case strings.HasPrefix(ns.mode, "ns:"):
			out[ns.t] = strings.TrimPrefix(ns.mode, "ns:")
		case strings.HasPrefix(ns.mode, "container:"):
			name := strings.TrimPrefix(ns.mode, "container:")
			if st == nil {
				return nil, fmt.Errorf("%s %s: no store to find the container in", ns.flag, ns.mode)
			}
			other, err := container.Load(st, name)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", ns.flag, ns.mode, err)
			}
			if !other.Running() || other.State.Pid <= 0 {
				return nil, fmt.Errorf("%s %s: container %s is not running: start it first", ns.flag, ns.mode, other.Config.Name)
			}
			out[ns.t] = fmt.Sprintf("/proc/%d/ns/%s", other.State.Pid, ns.t)
		}
	}
	return out, nil
}

// onMount: the command may be on one of mounts (a volume's or a bind
// mount's, or a file bound in itself), which LookPath, reading the root filesystem, cannot see: the
// runtime is left to find it.
func onMount(mounts []specs.Mount, env []string, cwd, argv0 string) bool {
	for _, p := range container.CommandPaths(env, cwd, argv0) {
		for _, m := range mounts {
			if p == m.Destination || strings.HasPrefix(p, strings.TrimSuffix(m.Destination, "/")+"/") {
				return true
			}
		}
	}
	return false
}

// cdiNames are cfg's --device values that name CDI devices.
func cdiNames(cfg *container.Config) []string {
	var out []string
	for _, d := range cfg.Devices {
		if cdi.IsName(d) {
			out = append(out, d)
		}
	}
	return out
}

// withCDI is cfg with its CDI devices resolved, at each start (a driver
// update changes the spec): their nodes as --device values, their
// variables after the image's and before -e's, their mounts as binds.
func withCDI(cfg *container.Config) (*container.Config, error) {
	names := cdiNames(cfg)
	if len(names) == 0 {
		return cfg, nil
	}
	e, err := cdi.Resolve(cdi.Dirs, names)
	if err != nil {
		return nil, err
	}
	c := *cfg
	c.Devices = slices.DeleteFunc(slices.Clone(cfg.Devices), cdi.IsName)
	for _, d := range e.DeviceNodes {
		c.Devices = append(c.Devices, d.HostPath+":"+d.Path+":"+d.Permissions)
	}
	c.Env = append(slices.Clone(e.Env), cfg.Env...)
	c.Mounts = slices.Clone(cfg.Mounts)
	for _, m := range e.Mounts {
		c.Mounts = append(c.Mounts, container.Mount{Type: container.MountBind, Source: m.HostPath, Destination: m.ContainerPath, ReadOnly: slices.Contains(m.Options, "ro")})
	}
	return &c, nil
}
