package runtime

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opencontainers/runtime-spec/specs-go"

	"github.com/pod-project/pod/container"
)

// ApplyResources puts the limits of r into res (a spec's resources, whose
// device rules stay); res may be nil.
func ApplyResources(res *specs.LinuxResources, r *container.Resources) *specs.LinuxResources {
	if res == nil {
		res = &specs.LinuxResources{}
	}
	if r == nil {
		return res
	}
	if r.Memory != nil || r.MemoryReservation != nil || r.MemorySwap != nil || r.MemorySwappiness != nil {
		if res.Memory == nil {
			res.Memory = &specs.LinuxMemory{}
		}
		m := res.Memory
		m.Limit, m.Reservation, m.Swap, m.Swappiness = pick(m.Limit, r.Memory), pick(m.Reservation, r.MemoryReservation), pick(m.Swap, r.MemorySwap), pick(m.Swappiness, r.MemorySwappiness)
	}
	if r.CPUShares != nil || r.CPUQuota != nil || r.CPUPeriod != nil || r.CPURtPeriod != nil || r.CPURtRuntime != nil || r.CpusetCpus != "" || r.CpusetMems != "" {
		if res.CPU == nil {
			res.CPU = &specs.LinuxCPU{}
		}
		c := res.CPU
		c.Shares, c.Quota, c.Period, c.RealtimePeriod, c.RealtimeRuntime = pick(c.Shares, r.CPUShares), pick(c.Quota, r.CPUQuota), pick(c.Period, r.CPUPeriod), pick(c.RealtimePeriod, r.CPURtPeriod), pick(c.RealtimeRuntime, r.CPURtRuntime)
		if r.CpusetCpus != "" {
			c.Cpus = r.CpusetCpus
		}
		if r.CpusetMems != "" {
			c.Mems = r.CpusetMems
		}
	}
	if r.PidsLimit != nil {
		res.Pids = &specs.LinuxPids{Limit: r.PidsLimit}
	}
	if r.BlkioWeight != nil || len(r.BlkioWeightDevice)+len(r.DeviceReadBps)+len(r.DeviceWriteBps)+len(r.DeviceReadIOps)+len(r.DeviceWriteIOps) > 0 {
		if res.BlockIO == nil {
			res.BlockIO = &specs.LinuxBlockIO{}
		}
		b := res.BlockIO
		b.Weight = pick(b.Weight, r.BlkioWeight)
		for _, d := range r.BlkioWeightDevice {
			w := uint16(d.Value)
			b.WeightDevice = append(b.WeightDevice, specs.LinuxWeightDevice{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: d.Major, Minor: d.Minor}, Weight: &w})
		}
		throttle := func(ds []container.DeviceValue) []specs.LinuxThrottleDevice {
			var out []specs.LinuxThrottleDevice
			for _, d := range ds {
				out = append(out, specs.LinuxThrottleDevice{LinuxBlockIODevice: specs.LinuxBlockIODevice{Major: d.Major, Minor: d.Minor}, Rate: d.Value})
			}
			return out
		}
		b.ThrottleReadBpsDevice, b.ThrottleWriteBpsDevice = throttle(r.DeviceReadBps), throttle(r.DeviceWriteBps)
		b.ThrottleReadIOPSDevice, b.ThrottleWriteIOPSDevice = throttle(r.DeviceReadIOps), throttle(r.DeviceWriteIOps)
	}
	return res
}

func pick[T any](old, v *T) *T {
	if v != nil {
		return v
	}
	return old
}

// Update applies res to the running container id's cgroup (`update -r -`).
func (r *Runtime) Update(ctx context.Context, id string, res *specs.LinuxResources) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	cmd := r.command(ctx, "update", "--resources", "-", id)
	cmd.Stdin = strings.NewReader(string(b))
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return &Error{Op: r.Name + " update", ID: id, Msg: msg}
	}
	return nil
}

// SupportsPersonality reports whether the runtime applies the spec's
// personality (--personality): crun does, runc from 1.2.
func (r *Runtime) SupportsPersonality() bool {
	if r.Name != "runc" {
		return true
	}
	var major, minor int
	v := strings.TrimPrefix(r.Version, "runc version ")
	if _, err := fmt.Sscanf(v, "%d.%d", &major, &minor); err != nil {
		return true
	}
	return major > 1 || (major == 1 && minor >= 2)
}
