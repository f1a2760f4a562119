package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/podinit"
	"github.com/pod-project/pod/pods"
	"github.com/pod-project/pod/storage"
)

// PodCreateOptions are pod pods create's: the record's fields, and the
// infra container's network (Infra holds them: --network, -p, --dns...).
type PodCreateOptions struct {
	Name, Hostname, InfraName string
	Labels                    map[string]string
	Share                     []string
	NoInfra                   bool
	Infra                     *container.Config
	Replace                   bool
	PodIDFile                 string
	CreateCommand             []string
	ExitPolicy                string
	// Member is what every container of the pod gets (see pods.Pod).
	Member *container.Config
}

func (h *Host) pods() *pods.Store { return pods.New(h.Store.GraphRoot()) }

// CreatePod writes a pod's record, then makes its infra container (whose
// ID the record names first: a pod whose infra is missing after a crash
// gets it at its next use).
func (h *Host) CreatePod(ctx context.Context, o PodCreateOptions) (*pods.Pod, error) {
	if o.PodIDFile != "" {
		if err := refuseExisting("--pod-id-file", o.PodIDFile); err != nil {
			return nil, err
		}
	}
	if o.Replace && o.Name != "" {
		if _, err := h.RemovePod(ctx, o.Name, PodRemoveOptions{Force: true, Ignore: true}); err != nil {
			return nil, fmt.Errorf("--replace: %w", err)
		}
	}
	share := o.Share
	if share == nil {
		share = slices.Clone(pods.DefaultShare)
	}
	if o.NoInfra && len(share) > 0 {
		return nil, fmt.Errorf("--infra=false: with no infra container there is nothing to hold the namespaces --share names (%s): give --share none", strings.Join(share, ","))
	}
	if o.Hostname != "" && !slices.Contains(share, "uts") {
		return nil, fmt.Errorf("--hostname %s: the pod's containers do not share a UTS namespace (--share): give each container its --hostname", o.Hostname)
	}
	infra := o.Infra
	if infra == nil {
		infra = &container.Config{}
	}
	if !slices.Contains(share, "net") && (infra.NetworkMode != "" || len(infra.Networks) > 0 || len(infra.Ports) > 0) {
		return nil, fmt.Errorf("--network and --publish set the pod's shared network: --share leaves out net")
	}
	p := &pods.Pod{Name: o.Name, Created: time.Now().UTC(), Labels: o.Labels, Hostname: o.Hostname, Share: share,
		CreateCommand: o.CreateCommand, ExitPolicy: o.ExitPolicy, InfraConfig: infra, Member: o.Member}
	if p.ExitPolicy == "" {
		p.ExitPolicy = "continue"
	}
	if !o.NoInfra {
		p.InfraID = pods.NewID()
		p.InfraName = o.InfraName
	}
	st := h.pods()
	unlock, err := st.Lock()
	if err != nil {
		return nil, err
	}
	err = st.Create(p, func(taken func(string) bool) string {
		for {
			if n := container.RandomName(); !taken(n) {
				return n
			}
		}
	})
	unlock()
	if err != nil {
		return nil, err
	}
	if _, err := h.ensureInfra(ctx, p); err != nil {
		_, _ = h.RemovePod(ctx, p.ID, PodRemoveOptions{Force: true})
		return nil, err
	}
	h.Event(events.Pod, "create", p.ID, p.Name)
	if o.PodIDFile != "" {
		if err := storage.CreateFileOnce(o.PodIDFile, []byte(p.ID), 0o644); err != nil {
			_, _ = h.RemovePod(ctx, p.ID, PodRemoveOptions{Force: true})
			return nil, fmt.Errorf("writing --pod-id-file %s: %w", o.PodIDFile, err)
		}
	}
	return p, nil
}

// ensureInfra returns p's infra container, made from the record's
// template when it is missing (a create killed after its record).
func (h *Host) ensureInfra(ctx context.Context, p *pods.Pod) (*container.Record, error) {
	if p.InfraID == "" {
		return nil, nil
	}
	rec, err := container.Load(h.Store, p.InfraID)
	if err == nil || !errors.Is(err, container.ErrNoSuchContainer) {
		return rec, err
	}
	rootfs, err := h.pods().InfraRootfs()
	if err != nil {
		return nil, err
	}
	cfg := container.Config{}
	if p.InfraConfig != nil {
		cfg = *p.InfraConfig
	}
	cfg.ID, cfg.Name, cfg.Pod, cfg.Infra = p.InfraID, p.InfraName, p.ID, true
	if cfg.Name == "" {
		cfg.Name = p.DefaultInfraName()
	}
	cfg.Rootfs, cfg.Cmd, cfg.Created = rootfs, []string{podinit.Path, podinit.Pause}, time.Now().UTC()
	cfg.StopSignal = "SIGTERM"
	if p.Shares("uts") {
		cfg.Hostname = p.Hostname
		if cfg.Hostname == "" {
			cfg.Hostname = p.Name
		}
	}
	if !p.Shares("net") {
		cfg.NetworkMode = "none"
	}
	if p.Shares("pid") {
		cfg.PID = container.NSPrivate
	}
	rec, _, err = h.Create(ctx, CreateOptions{Config: &cfg})
	if err != nil {
		return nil, fmt.Errorf("pod %s: creating its infra container: %w", p.Name, err)
	}
	return rec, nil
}

// joinPod puts a new container into the pod its Config.Pod names (its
// name or ID, as given, which becomes the ID; new:NAME makes
// it, with the container's network flags as the pod's): the namespaces
// the pod shares become the infra container's, which the container
// requires (so it starts first, and stays while the container exists).
// newPod is the ID of the pod new:NAME made.
func (h *Host) joinPod(ctx context.Context, o *CreateOptions) (newPod string, err error) {
	cfg := o.Config
	ownNet := cfg.NetworkMode != "" || len(cfg.Networks) > 0 || len(cfg.Ports) > 0 || o.PublishAll
	var p *pods.Pod
	if name, ok := strings.CutPrefix(cfg.Pod, "new:"); ok {
		infra := &container.Config{NetworkMode: cfg.NetworkMode, Networks: cfg.Networks, Ports: cfg.Ports,
			DNS: cfg.DNS, DNSSearch: cfg.DNSSearch, DNSOptions: cfg.DNSOptions, ExtraHosts: cfg.ExtraHosts}
		if p, err = h.CreatePod(ctx, PodCreateOptions{Name: name, Infra: infra}); err != nil {
			return "", err
		}
		newPod = p.ID
		cfg.NetworkMode, cfg.Networks, cfg.Ports = "", nil, nil
		cfg.DNS, cfg.DNSSearch, cfg.DNSOptions, cfg.ExtraHosts = nil, nil, nil, nil
		ownNet = false
	} else if p, err = h.pods().Get(cfg.Pod); err != nil {
		return "", fmt.Errorf("--pod %s: %w", cfg.Pod, err)
	}
	if cfg.InitCtr != "" && p.InfraID == "" {
		return newPod, fmt.Errorf("--init-ctr: pod %s has no infra container to start before its init containers", p.Name)
	}
	infra, err := h.ensureInfra(ctx, p)
	if err != nil {
		return newPod, err
	}
	cfg.Pod = p.ID
	if m := p.Member; m != nil {
		// The pod's volumes, but where the container mounts its own.
		var mounts []container.Mount
		for _, pm := range m.Mounts {
			if !slices.ContainsFunc(cfg.Mounts, func(c container.Mount) bool { return c.Destination == pm.Destination }) {
				mounts = append(mounts, pm)
			}
		}
		cfg.Mounts = append(mounts, cfg.Mounts...)
		cfg.VolumesFrom = appendMissing(m.VolumesFrom, cfg.VolumesFrom)
		cfg.Devices = appendMissing(m.Devices, cfg.Devices)
		if cfg.ShmSize == 0 {
			cfg.ShmSize = m.ShmSize
		}
	}
	if infra == nil {
		return newPod, nil
	}
	ref := "container:" + infra.Config.ID
	if p.Shares("net") {
		if ownNet {
			return newPod, fmt.Errorf("container %s: --network and --publish: pod %s's network is shared by its containers: give them to pod pods create (or run --pod new:NAME)", containerName(cfg), p.Name)
		}
		cfg.NetworkMode = ref
	}
	for _, ns := range []struct {
		name, flag string
		mode       *string
		infra      string
	}{{"ipc", "--ipc", &cfg.IPC, infra.Config.IPC}, {"uts", "--uts", &cfg.UTS, infra.Config.UTS}, {"pid", "--pid", &cfg.PID, infra.Config.PID}} {
		if !p.Shares(ns.name) {
			continue
		}
		if *ns.mode != "" && (*ns.mode != container.NSHost || ns.infra != container.NSHost) {
			return newPod, fmt.Errorf("container %s: %s %s: pod %s shares its %s namespace: leave %s out", containerName(cfg), ns.flag, *ns.mode, p.Name, ns.name, ns.flag)
		}
		*ns.mode = ref
		if ns.infra == container.NSHost {
			// The host's, which a rootless process may not join by path
			// (the first user namespace owns it): the runtime's own.
			*ns.mode = container.NSHost
		}
	}
	if p.Shares("uts") {
		if cfg.Hostname != "" {
			return newPod, fmt.Errorf("container %s: --hostname %s: pod %s shares its UTS namespace, whose host name is the pod's (pod pods create --hostname)", containerName(cfg), cfg.Hostname, p.Name)
		}
		cfg.Hostname = infra.Config.Hostname // for /etc/hostname and $HOSTNAME
	}
	if !slices.Contains(cfg.Requires, infra.Config.ID) {
		cfg.Requires = append(cfg.Requires, infra.Config.ID)
	}
	return newPod, nil
}

// PodInfo is a pod with its containers, for ls and inspect.
type PodInfo struct {
	*pods.Pod
	Containers []*container.Record // oldest first, the infra among them
}

// Status is the pod's state from its containers' (Podman's words):
// Created, Running, Degraded (some running), Paused, Exited. Init
// containers, which end before the others start, do not count.
func (pi PodInfo) Status() string {
	var created, running, paused, n int
	for _, r := range pi.Containers {
		if r.Config.InitCtr != "" && !r.Running() {
			continue
		}
		n++
		switch {
		case r.State.Status == container.StatusPaused:
			paused++
		case r.Running():
			running++
		case r.State.Status == container.StatusCreated:
			created++
		}
	}
	switch {
	case n == 0 || created == n:
		return "Created"
	case running == n:
		return "Running"
	case paused == n:
		return "Paused"
	case running+paused > 0:
		return "Degraded"
	}
	return "Exited"
}

// Running tells whether any of the pod's containers runs.
func (pi PodInfo) Running() bool {
	return slices.ContainsFunc(pi.Containers, func(r *container.Record) bool {
		return r.Running() || r.State.Status == container.StatusPaused
	})
}

// Infra is the pod's infra container's record, nil for none.
func (pi PodInfo) Infra() *container.Record {
	for _, r := range pi.Containers {
		if r.Config.Infra {
			return r
		}
	}
	return nil
}

// ListPods returns every pod with its containers.
func (h *Host) ListPods(ctx context.Context) ([]PodInfo, error) {
	all, damaged, err := h.pods().List()
	if err != nil {
		return nil, err
	}
	for _, d := range damaged {
		h.warn("%v", d)
	}
	recs, err := h.List(ctx, ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make([]PodInfo, 0, len(all))
	for _, p := range all {
		out = append(out, podInfo(p, recs))
	}
	return out, nil
}

func podInfo(p *pods.Pod, recs []*container.Record) PodInfo {
	pi := PodInfo{Pod: p}
	for _, r := range recs {
		if r.Config.Pod == p.ID {
			pi.Containers = append(pi.Containers, r)
		}
	}
	sort.SliceStable(pi.Containers, func(i, j int) bool {
		return pi.Containers[i].Config.Created.Before(pi.Containers[j].Config.Created)
	})
	return pi
}

// Pod finds one pod with its containers.
func (h *Host) Pod(ctx context.Context, ref string) (PodInfo, error) {
	p, err := h.pods().Get(ref)
	if err != nil {
		return PodInfo{}, err
	}
	recs, err := h.List(ctx, ListOptions{})
	if err != nil {
		return PodInfo{}, err
	}
	return podInfo(p, recs), nil
}

// StartPod starts the pod's infra container, then its init containers one
// after another, each to its end (a failure stops the start; a "once"
// one is removed after it succeeds), then the others.
func (h *Host) StartPod(ctx context.Context, ref string) (*pods.Pod, error) {
	pi, err := h.Pod(ctx, ref)
	if err != nil {
		return nil, err
	}
	infra, err := h.ensureInfra(ctx, pi.Pod)
	if err != nil {
		return pi.Pod, err
	}
	if infra != nil && !infra.Running() {
		if _, err := h.Start(ctx, infra.Config.ID, StartOptions{}); err != nil {
			return pi.Pod, fmt.Errorf("pod %s: starting its infra container: %w", pi.Name, err)
		}
	}
	var errs []error
	for _, r := range pi.Containers {
		if r.Config.InitCtr == "" || r.Running() {
			continue
		}
		if _, err := h.Start(ctx, r.Config.ID, StartOptions{}); err != nil {
			return pi.Pod, fmt.Errorf("pod %s: init container %s: %w", pi.Name, r.Config.Name, err)
		}
		code, err := h.Wait(ctx, r.Config.ID, container.WaitNotRunning)
		if err != nil {
			return pi.Pod, fmt.Errorf("pod %s: init container %s: %w", pi.Name, r.Config.Name, err)
		}
		if code != 0 {
			return pi.Pod, container.WithExitCode(125, fmt.Errorf("pod %s: init container %s exited with %d: the pod's other containers were not started", pi.Name, r.Config.Name, code))
		}
		if r.Config.InitCtr == "once" {
			if _, err := h.Remove(ctx, r.Config.ID, RemoveOptions{Volumes: true}); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, r := range pi.Containers {
		if r.Config.Infra || r.Config.InitCtr != "" || r.Running() {
			continue
		}
		if _, err := h.Start(ctx, r.Config.ID, StartOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("pod %s: starting %s: %w", pi.Name, r.Config.Name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return pi.Pod, err
	}
	h.Event(events.Pod, "start", pi.ID, pi.Name)
	return pi.Pod, nil
}

// StopPod stops the pod's containers together, then its infra container.
func (h *Host) StopPod(ctx context.Context, ref string, o StopOptions) (*pods.Pod, error) {
	pi, err := h.Pod(ctx, ref)
	if err != nil {
		return nil, err
	}
	err = h.eachMember(pi, false, func(r *container.Record) error {
		if !r.Running() && r.State.Status != container.StatusPaused && !r.State.Restarting {
			return nil
		}
		return h.Stop(ctx, r.Config.ID, o)
	})
	if err == nil {
		if infra := pi.Infra(); infra != nil && infra.Running() {
			err = h.Stop(ctx, infra.Config.ID, o)
		}
	}
	if err != nil {
		return pi.Pod, err
	}
	h.Event(events.Pod, "stop", pi.ID, pi.Name)
	return pi.Pod, nil
}

// KillPod sends sig to every running container of the pod, the infra's
// last.
func (h *Host) KillPod(ctx context.Context, ref string, sig syscall.Signal) (*pods.Pod, error) {
	pi, err := h.Pod(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !pi.Running() {
		return pi.Pod, container.WithExitCode(125, fmt.Errorf("pod %s has no running container to signal: %w", pi.Name, container.ErrNotRunning))
	}
	err = h.eachMember(pi, false, func(r *container.Record) error {
		if !r.Running() {
			return nil
		}
		return h.Kill(ctx, r.Config.ID, sig)
	})
	if infra := pi.Infra(); err == nil && infra != nil && infra.Running() {
		err = h.Kill(ctx, infra.Config.ID, sig)
	}
	if err != nil {
		return pi.Pod, err
	}
	h.Event(events.Pod, "kill", pi.ID, pi.Name)
	return pi.Pod, nil
}

// eachMember runs fn for each container of the pod but the infra, at the
// same time (a stop's grace periods overlap), and joins the errors.
func (h *Host) eachMember(pi PodInfo, withInfra bool, fn func(*container.Record) error) error {
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, r := range pi.Containers {
		if r.Config.Infra && !withInfra {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(r); err != nil && !errors.Is(err, container.ErrNoSuchContainer) {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// PodRemoveOptions are pod pods rm's.
type PodRemoveOptions struct {
	Force, Ignore bool
	Time          *int
}

// RemovePod removes the pod's containers (running ones only with Force),
// its infra container, then its record: each step again after a kill.
func (h *Host) RemovePod(ctx context.Context, ref string, o PodRemoveOptions) (string, error) {
	pi, err := h.Pod(ctx, ref)
	if err != nil {
		if o.Ignore && errors.Is(err, pods.ErrNoSuchPod) {
			return "", nil
		}
		return "", err
	}
	if pi.Running() && !o.Force {
		return pi.ID, container.WithExitCode(125, fmt.Errorf("pod %s has running containers: stop it first (pod pods stop %s), or remove it with -f: %w", pi.Name, pi.Name, container.ErrRunning))
	}
	ro := RemoveOptions{Force: o.Force, Time: o.Time, Volumes: true, Depend: true, fromPod: true}
	if err := h.eachMember(pi, false, func(r *container.Record) error {
		_, err := h.Remove(ctx, r.Config.ID, ro)
		return err
	}); err != nil {
		return pi.ID, err
	}
	if pi.InfraID != "" {
		ro.Ignore = true
		if _, err := h.Remove(ctx, pi.InfraID, ro); err != nil {
			return pi.ID, err
		}
	}
	if err := h.pods().Remove(pi.ID); err != nil {
		return pi.ID, err
	}
	h.Event(events.Pod, "remove", pi.ID, pi.Name)
	return pi.ID, nil
}

// checkInfraRemoval refuses to remove a pod's infra container but as part
// of its pod's removal.
func (h *Host) checkInfraRemoval(rec *container.Record, o RemoveOptions) error {
	if !rec.Config.Infra || o.fromPod {
		return nil
	}
	p, err := h.pods().Get(rec.Config.Pod)
	if err != nil {
		return nil // an infra whose pod is gone goes as any container
	}
	return container.WithExitCode(125, fmt.Errorf("container %s is the infra container of pod %s: remove the pod (pod pods rm %s)", rec.Config.Name, p.Name, p.Name))
}

// PrunePods removes every pod none of whose containers runs, and returns
// their IDs.
func (h *Host) PrunePods(ctx context.Context) ([]string, error) {
	list, err := h.ListPods(ctx)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, pi := range list {
		if pi.Running() {
			continue
		}
		id, err := h.RemovePod(ctx, pi.ID, PodRemoveOptions{Ignore: true})
		if err != nil {
			return removed, err
		}
		if id != "" {
			removed = append(removed, id)
		}
	}
	return removed, nil
}

// appendMissing is own after those of pod's that own lacks (a container
// made again from its record's flags has the pod's already).
func appendMissing(pod, own []string) []string {
	var out []string
	for _, v := range pod {
		if !slices.Contains(own, v) {
			out = append(out, v)
		}
	}
	return append(out, own...)
}

// PausePod pauses every running container of the pod (the infra's too),
// or with unpause unpauses the paused ones.
func (h *Host) PausePod(ctx context.Context, ref string, unpause bool) (*pods.Pod, error) {
	pi, err := h.Pod(ctx, ref)
	if err != nil {
		return nil, err
	}
	want, verb := container.StatusRunning, h.Pause
	if unpause {
		want, verb = container.StatusPaused, h.Unpause
	}
	n := 0
	err = h.eachMember(pi, true, func(r *container.Record) error {
		if r.State.Status != want || (!unpause && !r.Running()) {
			return nil
		}
		n++
		return verb(ctx, r.Config.ID)
	})
	if err == nil && n == 0 {
		err = container.WithExitCode(125, fmt.Errorf("pod %s has no %s container", pi.Name, want))
	}
	if err != nil {
		return pi.Pod, err
	}
	h.Event(events.Pod, map[bool]string{false: "pause", true: "unpause"}[unpause], pi.ID, pi.Name)
	return pi.Pod, nil
}
