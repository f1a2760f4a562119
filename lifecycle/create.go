package lifecycle

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/pod-project/pod/cdi"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/network/slirp"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
	"github.com/pod-project/pod/volumes"
)

// CreateOptions say what container to create. Config is what the user
// asked for (its Image the reference as given); what it leaves zero comes
// from the image.
type CreateOptions struct {
	Config *container.Config
	// Pull says when the image is pulled; PullOptions how.
	Pull        image.PullPolicy
	PullOptions image.PullOptions
	// PublishAll publishes every exposed port (the image's EXPOSE and
	// Config.Expose) to a free host port (-P).
	PublishAll bool
	// Replace removes a container of the same name first (--replace).
	Replace bool
	// CidFile receives the new container's ID (--cidfile); it must not
	// exist.
	CidFile string
}

// refuseExisting refuses a file an ID is to be written to that exists
// already (--cidfile, --pod-id-file): another object may use it.
func refuseExisting(flag, path string) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("%s %s exists: another container or pod may use it; remove the file first", flag, path)
	}
	return nil
}

// Create finds (or pulls) the image, completes the Config from it (command,
// stop signal, health check, published ports, volumes) and creates the
// container: its writable layer and its record.
func (h *Host) Create(ctx context.Context, o CreateOptions) (made *container.Record, _ *container.ImageConfig, _ error) {
	cfg := o.Config
	if o.CidFile != "" {
		if err := refuseExisting("--cidfile", o.CidFile); err != nil {
			return nil, nil, err
		}
	}
	if cfg.Cgroups == "disabled" && !h.Rootless {
		return nil, nil, fmt.Errorf("--cgroups=disabled: the OCI runtime makes a cgroup for every rootful container; use --cgroups=split to place it under the caller's cgroup")
	}
	img, err := h.imageFor(ctx, o)
	if err != nil {
		return nil, nil, err
	}
	ic := &img.Config.Config
	cfg.ImageID = img.ID
	if cfg.Pod != "" && !cfg.Infra {
		newPod, err := h.joinPod(ctx, &o)
		if newPod != "" {
			// --pod new:NAME made a pod for this container alone.
			defer func() {
				if made == nil {
					_, _ = h.RemovePod(ctx, newPod, PodRemoveOptions{Force: true, Ignore: true})
				}
			}()
		}
		if err != nil {
			return nil, nil, err
		}
	} else if cfg.InitCtr != "" {
		return nil, nil, fmt.Errorf("--init-ctr: init containers belong to a pod: give --pod")
	}
	if cfg.Engine == "" && h.Engine != "pod" {
		cfg.Engine = h.Engine
	}
	cfg.Command, _ = container.Command(cfg, ic)
	if err := h.checkSystemd(cfg, ic); err != nil {
		return nil, nil, err
	}
	h.defaultNetwork(cfg)
	if err := h.checkNetworks(cfg); err != nil {
		return nil, nil, err
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = ic.StopSignal
	}
	if cfg.ImageHealth, err = container.HealthFromDockerConfig(img.RawConfig); err != nil {
		return nil, nil, err
	}
	if cfg.SdNotify == container.SdNotifyHealthy && container.EffectiveHealth(cfg, ic) == nil {
		return nil, nil, fmt.Errorf("--sdnotify=healthy needs a health check: give one with --health-cmd, or use another --sdnotify")
	}
	if o.Replace && cfg.Name != "" {
		// Once the image is there: a failed pull keeps the old container.
		if _, err := h.Remove(ctx, cfg.Name, RemoveOptions{Force: true, Ignore: true, Volumes: true}); err != nil {
			return nil, nil, fmt.Errorf("--replace: %w", err)
		}
	}
	if o.PublishAll {
		exposed := append([]string(nil), cfg.Expose...)
		for p := range ic.ExposedPorts {
			exposed = append(exposed, p)
		}
		cfg.Ports = slirp.PublishAll(cfg.Ports, exposed)
	}
	if err := slirp.AllocatePorts(cfg.Ports); err != nil {
		return nil, nil, err
	}
	if len(cfg.CgroupConf) > 0 && (h.Rootless || !runtime.IsCgroupV2()) {
		return nil, nil, fmt.Errorf("--cgroup-conf: it sets cgroup v2 files of a rootful container's own cgroup; this host has %s", map[bool]string{true: "a rootless container with no cgroup of its own", false: "cgroup v1"}[h.Rootless])
	}
	if slices.Contains(cfg.GroupAdd, container.KeepGroups) {
		rt, err := h.Runtime(ctx)
		if err != nil {
			return nil, nil, err
		}
		if rt.Name != "crun" {
			return nil, nil, fmt.Errorf("--group-add keep-groups: only crun keeps the groups pod has, and the OCI runtime here is %s (pod info says why crun was passed over; --runtime crun where it works)", rt.Name)
		}
	}
	if cfg.Personality != "" {
		rt, err := h.Runtime(ctx)
		if err != nil {
			return nil, nil, err
		}
		if !rt.SupportsPersonality() {
			return nil, nil, fmt.Errorf("--personality %s: the OCI runtime here (%s) ignores it; crun or runc 1.2 and later apply it (--runtime)", cfg.Personality, rt.Version)
		}
	}
	if err := h.resolveRequires(cfg); err != nil {
		return nil, nil, err
	}
	if _, err := cdi.Resolve(cdi.Dirs, cdiNames(cfg)); err != nil {
		return nil, nil, err
	}
	if len(cfg.DeviceCgroupRules) > 0 && h.Rootless {
		return nil, nil, fmt.Errorf("--device-cgroup-rule: a rootless container has no device cgroup to take rules; give it device nodes with --device instead")
	}
	if wantsCgroup(cfg) && h.Warn != nil && LimitsIgnored(h.Rootless) {
		h.Warn("%s", ResourceLimitsNote(true))
	}
	unlock := func() {}
	if container.IsAutoUserNS(cfg.UserNS) {
		if unlock, err = storage.Lock(filepath.Join(h.Store.GraphRoot(), AutoUserNSLock)); err != nil {
			return nil, nil, err
		}
	}
	defer func() { unlock() }()
	if err := h.planUserNS(cfg); err != nil {
		return nil, nil, err
	}
	if cfg.IDMap != nil && container.EffectiveHealth(cfg, ic) != nil {
		rt, err := h.Runtime(ctx)
		if err != nil {
			return nil, nil, err
		}
		if err := execUserNS(cfg, rt); err != nil {
			return nil, nil, fmt.Errorf("its health check runs through exec: %w (or --no-healthcheck)", err)
		}
	}
	if err := resolveSecrets(h.Store, cfg); err != nil {
		return nil, nil, err
	}
	if err := volumes.Complete(h.Store, cfg, ic); err != nil {
		return nil, nil, err
	}
	rec, err := container.Create(h.Store, cfg)
	unlock()
	unlock = func() {}
	if err != nil {
		return nil, nil, err
	}
	h.containerEvent("create", rec, nil)
	if o.CidFile != "" {
		if err := storage.CreateFileOnce(o.CidFile, []byte(rec.Config.ID), 0o644); err != nil {
			_, _ = h.Remove(ctx, rec.Config.ID, RemoveOptions{Force: true, Volumes: true})
			return nil, nil, fmt.Errorf("writing --cidfile %s: %w", o.CidFile, err)
		}
	}
	return rec, ic, nil
}

// imageFor finds (or pulls) the image of a new container; a --rootfs
// container has none (an empty one).
func (h *Host) imageFor(ctx context.Context, o CreateOptions) (*image.Local, error) {
	if o.Config.Rootfs != "" {
		st, err := os.Stat(o.Config.Rootfs)
		if err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--rootfs %s: no such directory", o.Config.Rootfs)
		}
		return &image.Local{Config: &v1.Image{}}, nil
	}
	release, err := storage.HoldWriting(h.Store.GraphRoot())
	if err != nil {
		return nil, err
	}
	defer release()
	return image.Ensure(ctx, h.Store, o.Config.Image, o.Pull, o.PullOptions)
}

// imageConfigOf is the configuration of the image rec was made from.
func (h *Host) imageConfigOf(rec *container.Record) (*container.ImageConfig, error) {
	if rec.Config.Rootfs != "" {
		return &container.ImageConfig{}, nil
	}
	img, err := image.Lookup(h.Store, rec.Config.ImageID)
	if err != nil {
		return nil, fmt.Errorf("container %s: its image: %w", rec.Config.Name, err)
	}
	return &img.Config.Config, nil
}

// checkSystemd refuses a systemd container where it cannot have a cgroup
// of its own to write (rootless on cgroup v1), and asks systemd to stop
// with its own signal unless --stop-signal said otherwise.
func (h *Host) checkSystemd(cfg *container.Config, ic *container.ImageConfig) error {
	if !container.SystemdMode(cfg) {
		return nil
	}
	if h.Rootless && !runtime.IsCgroupV2() {
		return errSystemdV1(containerName(cfg))
	}
	if cfg.StopSignal == "" {
		cfg.StopSignal = container.SystemdStopSignal
	}
	return nil
}

// containerName is cfg's name, or its image's before it has one.
func containerName(cfg *container.Config) string {
	if cfg.Name != "" {
		return cfg.Name
	}
	return "of image " + cfg.Image
}

// Environment is the environment rec's command gets (the image's, pod's
// defaults, containers.conf's, -e's), as inspect shows it in Config.Env
// like Podman's: HOME is root's, or / for another user, unless -e or the
// image gives it.
func (h *Host) Environment(rec *container.Record) []string {
	img, err := h.imageConfigOf(rec)
	if err != nil {
		img = &container.ImageConfig{}
	}
	u := container.ExecUser{Home: "/"}
	if name, _, _ := strings.Cut(rec.Config.User, ":"); name == "" || name == "root" || name == "0" {
		u.Home = "/root"
	}
	return container.Environment(&rec.Config, img, container.Hostname(&rec.Config), u)
}
