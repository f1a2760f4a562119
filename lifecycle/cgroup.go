package lifecycle

import (
	"context"
	"fmt"
	"time"

	units "github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// Pause freezes every process of the running container target through the
// runtime (its cgroup's freezer) and records it as paused. A container
// without a cgroup of its own (rootless here) gets an error that says why.
func (h *Host) Pause(ctx context.Context, target string) error {
	rec, rt, err := h.loadWithCgroup(ctx, target, "pausing")
	if err != nil {
		return err
	}
	if rec.State.Status == container.StatusPaused {
		return fmt.Errorf("container %s is already paused", rec.Config.Name)
	}
	if err := rt.Pause(ctx, rec.Config.ID); err != nil {
		return fmt.Errorf("pausing %s: %w", rec.Config.Name, err)
	}
	h.containerEvent("pause", rec, nil)
	return rec.UpdateState(func(s *container.State) { s.Status = container.StatusPaused })
}

// Unpause thaws a paused container.
func (h *Host) Unpause(ctx context.Context, target string) error {
	rec, rt, err := h.loadWithCgroup(ctx, target, "unpausing")
	if err != nil {
		return err
	}
	if rec.State.Status != container.StatusPaused {
		return fmt.Errorf("container %s is not paused", rec.Config.Name)
	}
	if err := rt.Resume(ctx, rec.Config.ID); err != nil {
		return fmt.Errorf("unpausing %s: %w", rec.Config.Name, err)
	}
	h.containerEvent("unpause", rec, nil)
	return rec.UpdateState(func(s *container.State) { s.Status = container.StatusRunning })
}

// StatsSample is one reading of a container's resource usage.
type StatsSample struct {
	At    time.Time
	Stats *runtime.Stats
}

// sample reads the resource usage of the running container rec from its
// cgroup; a container without one gets an error that says why.
func (h *Host) sample(ctx context.Context, rt *runtime.Runtime, rec *container.Record) (StatsSample, error) {
	if err := needCgroup(h.Store, rec, "reading the statistics of"); err != nil {
		return StatsSample{}, err
	}
	var s *runtime.Stats
	var err error
	if pid := rec.State.Pid; runtime.IsCgroupV2() && pid > 0 {
		s, err = runtime.CgroupStats(pid)
	} else {
		s, err = rt.Stats(ctx, rec.Config.ID)
	}
	if err != nil {
		return StatsSample{}, fmt.Errorf("reading the statistics of %s: %w", rec.Config.Name, err)
	}
	return StatsSample{At: time.Now(), Stats: s}, nil
}

// StatsRow is one line of `pod stats`, as Docker prints it.
type StatsRow struct {
	ID, Name, CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs string
	// FullID is the untruncated ID (--no-trunc).
	FullID string `json:"-"`
}

// NewStatsRow computes a row from two samples of the same container
// (prev may be zero: CPU % is then 0).
func NewStatsRow(rec *container.Record, prev, cur StatsSample) StatsRow {
	s := cur.Stats
	cpu := 0.0
	if prev.Stats != nil && cur.At.After(prev.At) && s.CPU.Usage.Total >= prev.Stats.CPU.Usage.Total {
		used := float64(s.CPU.Usage.Total - prev.Stats.CPU.Usage.Total)
		cpu = used / float64(cur.At.Sub(prev.At).Nanoseconds()) * 100
	}
	mem := s.Memory.Usage.Usage
	if s.Memory.Cache <= mem {
		mem -= s.Memory.Cache
	}
	limit := s.Memory.Usage.Limit
	if host := hostMemory(); host > 0 && (limit == 0 || limit > host) {
		limit = host
	}
	memPerc := 0.0
	if limit > 0 && limit < 1<<62 {
		memPerc = float64(mem) / float64(limit) * 100
	}
	var rd, wr uint64
	for _, e := range s.Blkio.IoServiceBytesRecursive {
		switch e.Op {
		case "Read", "read":
			rd += e.Value
		case "Write", "write":
			wr += e.Value
		}
	}
	return StatsRow{
		ID: container.ShortID(rec.Config.ID), FullID: rec.Config.ID, Name: rec.Config.Name,
		CPUPerc:  fmt.Sprintf("%.2f%%", cpu),
		MemUsage: units.BytesSize(float64(mem)) + " / " + units.BytesSize(float64(limit)),
		MemPerc:  fmt.Sprintf("%.2f%%", memPerc),
		NetIO:    "--", BlockIO: units.HumanSize(float64(rd)) + " / " + units.HumanSize(float64(wr)),
		PIDs: fmt.Sprint(s.Pids.Current),
	}
}

// hostMemory is the host's RAM in bytes: the limit of an unlimited
// container, as Docker shows it.
func hostMemory() uint64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

// loadWithCgroup loads target and the runtime, and fails unless target
// runs with a cgroup of its own.
func (h *Host) loadWithCgroup(ctx context.Context, target, what string) (*container.Record, *runtime.Runtime, error) {
	rec, err := h.Load(ctx, target)
	if err != nil {
		return nil, nil, err
	}
	if err := needCgroup(h.Store, rec, what); err != nil {
		return nil, nil, err
	}
	rt, err := h.Runtime(ctx)
	return rec, rt, err
}

// needCgroup fails unless rec runs and has a cgroup of its own, saying
// what the host lacks.
func needCgroup(st storage.Store, rec *container.Record, what string) error {
	name := rec.Config.Name
	if !rec.Running() {
		return container.NotRunning(name, "")
	}
	bundle, err := st.ContainerRunDirectory(rec.Config.ID)
	if err != nil {
		return fmt.Errorf("container %s: %w", name, err)
	}
	spec, err := readSpec(bundle)
	if err != nil {
		return fmt.Errorf("container %s: %w", name, err)
	}
	if spec.Linux != nil && spec.Linux.CgroupsPath != "" {
		return nil
	}
	return noCgroupError(what, name)
}

// noCgroupError says why container name has no cgroup of its own, and
// what the host would need.
func noCgroupError(what, name string) error {
	if runtime.IsCgroupV2() {
		return &container.StateError{Err: container.ErrNoCgroup, Msg: what + " " + name + ": this needs a cgroup of the container's own, which a rootless container gets when it has limits (--memory, --pids-limit...) and pod starts it from a cgroup delegated to you (a systemd --user unit, or systemd-run --user --scope -p Delegate=yes pod start " + name + ")"}
	}
	return &container.StateError{Err: container.ErrNoCgroup, Msg: what + " " + name + ": this needs cgroup v2 with delegation of the freezer/cpu/memory controllers to your user; this host has cgroup v1, where rootless containers have no cgroup of their own"}
}

// StatsOptions say which containers `pod stats` shows: Targets, or with
// none every running container (All: every container).
type StatsOptions struct {
	Targets []string
	All     bool
}

// Stats reads a stream of resource usage rows.
type Stats struct {
	h    *Host
	rt   *runtime.Runtime
	recs []*container.Record
	prev []StatsSample
}

// Stats samples the containers o names once; Next gives the rows.
func (h *Host) Stats(ctx context.Context, o StatsOptions) (*Stats, error) {
	var recs []*container.Record
	for _, t := range o.Targets {
		r, err := h.Load(ctx, t)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	if len(o.Targets) == 0 {
		list, err := h.List(ctx, ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, r := range list {
			if o.All || r.Running() {
				recs = append(recs, r)
			}
		}
	}
	rt, err := h.Runtime(ctx)
	if err != nil {
		return nil, err
	}
	s := &Stats{h: h, rt: rt, recs: recs, prev: make([]StatsSample, len(recs))}
	for i, r := range recs {
		if s.prev[i], err = h.sample(ctx, rt, r); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Next samples every container again and returns a row for each, CPU %
// over the time since the last sample.
func (s *Stats) Next(ctx context.Context) ([]StatsRow, error) {
	rows := make([]StatsRow, 0, len(s.recs))
	for i, r := range s.recs {
		cur, err := s.h.sample(ctx, s.rt, r)
		if err != nil {
			return nil, err
		}
		rows = append(rows, NewStatsRow(r, s.prev[i], cur))
		s.prev[i] = cur
	}
	return rows, nil
}

// ResourceLimitsNote says whether containers' resource limits apply here:
// rootful containers have cgroups of their own; rootless ones only on
// cgroup v2, started from a cgroup delegated to the user.
func ResourceLimitsNote(rootless bool) string {
	switch {
	case !rootless:
		return "applied: rootful containers have cgroups of their own"
	case !LimitsIgnored(rootless):
		return "applied: pod runs in a cgroup delegated to you, and each container gets one of its own under it"
	case runtime.IsCgroupV2():
		return "resource limits apply to rootless containers started from a cgroup delegated to you (a systemd --user unit, or systemd-run --user --scope -p Delegate=yes): elsewhere, as here, they are ignored"
	}
	return "Resource limits are not supported and ignored on cgroups V1 rootless systems: a host with cgroup v2 (systemd.unified_cgroup_hierarchy=1) and systemd's delegation would allow them"
}
