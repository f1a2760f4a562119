package container

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
)

// Resources are a container's cgroup limits (pod update; run's resource
// flags), applied where the container has a cgroup of its own. A nil
// field is not set.
type Resources struct {
	Memory            *int64  `json:"memory,omitempty"`
	MemoryReservation *int64  `json:"memoryReservation,omitempty"`
	MemorySwap        *int64  `json:"memorySwap,omitempty"`
	MemorySwappiness  *uint64 `json:"memorySwappiness,omitempty"`
	CPUShares         *uint64 `json:"cpuShares,omitempty"`
	CPUQuota          *int64  `json:"cpuQuota,omitempty"`
	CPUPeriod         *uint64 `json:"cpuPeriod,omitempty"`
	CPURtPeriod       *uint64 `json:"cpuRtPeriod,omitempty"`
	CPURtRuntime      *int64  `json:"cpuRtRuntime,omitempty"`
	CpusetCpus        string  `json:"cpusetCpus,omitempty"`
	CpusetMems        string  `json:"cpusetMems,omitempty"`
	BlkioWeight       *uint16 `json:"blkioWeight,omitempty"`
	// BlkioWeightDevice and the throttles name devices by path and by
	// the major:minor found when they were given.
	BlkioWeightDevice []DeviceValue `json:"blkioWeightDevice,omitempty"`
	DeviceReadBps     []DeviceValue `json:"deviceReadBps,omitempty"`
	DeviceWriteBps    []DeviceValue `json:"deviceWriteBps,omitempty"`
	DeviceReadIOps    []DeviceValue `json:"deviceReadIOps,omitempty"`
	DeviceWriteIOps   []DeviceValue `json:"deviceWriteIOps,omitempty"`
	// PidsLimit is the most processes (-1: no limit).
	PidsLimit *int64 `json:"pidsLimit,omitempty"`
}

// DeviceValue is a limit on one block device.
type DeviceValue struct {
	Path  string `json:"path"`
	Major int64  `json:"major"`
	Minor int64  `json:"minor"`
	Value uint64 `json:"value"`
}

// ResourceFlags are the resource flags as given (the empty string: not
// given); DeviceNumbers finds a block device's major:minor.
type ResourceFlags struct {
	Memory, MemoryReservation, MemorySwap, MemorySwappiness   string
	CPUShares, CPUQuota, CPUPeriod, CPURtPeriod, CPURtRuntime string
	CPUs, CpusetCpus, CpusetMems, BlkioWeight, PidsLimit      string
	BlkioWeightDevice, DeviceReadBps, DeviceWriteBps          []string
	DeviceReadIOps, DeviceWriteIOps                           []string
	DeviceNumbers                                             func(path string) (major, minor int64, err error)
}

// ParseResources checks the flags and turns them into Resources, as
// Podman reads them: sizes with units (512m, 1g), --cpus as a quota of a
// 100 ms period, --memory-swap -1 for no limit.
func ParseResources(f ResourceFlags) (Resources, error) {
	var r Resources
	var err error
	size := func(flag, v string, minimum int64) (*int64, error) {
		if v == "" {
			return nil, nil
		}
		if v == "-1" && flag == "--memory-swap" {
			n := int64(-1)
			return &n, nil
		}
		n, err := units.RAMInBytes(v)
		if err != nil || n < minimum {
			return nil, fmt.Errorf("%s %q: a size such as 512m or 1g (at least %d bytes)", flag, v, minimum)
		}
		return &n, nil
	}
	unsigned := func(flag, v string, lo, hi uint64) (*uint64, error) {
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n < lo || n > hi {
			return nil, fmt.Errorf("%s %q: a whole number from %d to %d", flag, v, lo, hi)
		}
		return &n, nil
	}
	signed := func(flag, v string, lo int64) (*int64, error) {
		if v == "" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < lo {
			return nil, fmt.Errorf("%s %q: a whole number of at least %d", flag, v, lo)
		}
		return &n, nil
	}
	if r.Memory, err = size("--memory", f.Memory, 6*1024*1024); err != nil {
		return r, err
	}
	if r.MemoryReservation, err = size("--memory-reservation", f.MemoryReservation, 0); err != nil {
		return r, err
	}
	if r.MemorySwap, err = size("--memory-swap", f.MemorySwap, 0); err != nil {
		return r, err
	}
	if f.MemorySwappiness != "" && f.MemorySwappiness != "-1" {
		if r.MemorySwappiness, err = unsigned("--memory-swappiness", f.MemorySwappiness, 0, 100); err != nil {
			return r, err
		}
	}
	if r.CPUShares, err = unsigned("--cpu-shares", f.CPUShares, 2, 262144); err != nil {
		return r, err
	}
	if r.CPUQuota, err = signed("--cpu-quota", f.CPUQuota, 1000); err != nil {
		return r, err
	}
	if r.CPUPeriod, err = unsigned("--cpu-period", f.CPUPeriod, 1000, 1000000); err != nil {
		return r, err
	}
	if r.CPURtPeriod, err = unsigned("--cpu-rt-period", f.CPURtPeriod, 1, math.MaxInt64); err != nil {
		return r, err
	}
	if r.CPURtRuntime, err = signed("--cpu-rt-runtime", f.CPURtRuntime, -1); err != nil {
		return r, err
	}
	if r.PidsLimit, err = signed("--pids-limit", f.PidsLimit, -1); err != nil {
		return r, err
	}
	if r.PidsLimit != nil && *r.PidsLimit == 0 {
		return r, fmt.Errorf("--pids-limit 0: give at least 1 (or -1 for no limit)")
	}
	if f.CPUs != "" {
		if f.CPUQuota != "" || f.CPUPeriod != "" {
			return r, fmt.Errorf("--cpus and --cpu-quota/--cpu-period set the same limit: give one of them")
		}
		c, err := strconv.ParseFloat(f.CPUs, 64)
		if err != nil || c <= 0 || c > 1024 || math.IsNaN(c) {
			return r, fmt.Errorf("--cpus %q: a number of CPUs such as 0.5 or 2", f.CPUs)
		}
		period, quota := uint64(100000), int64(c*100000)
		r.CPUPeriod, r.CPUQuota = &period, &quota
	}
	for flag, v := range map[string]string{"--cpuset-cpus": f.CpusetCpus, "--cpuset-mems": f.CpusetMems} {
		if v != "" && !validCPUList(v) {
			return r, fmt.Errorf("%s %q: a list such as 0-3 or 0,2", flag, v)
		}
	}
	r.CpusetCpus, r.CpusetMems = f.CpusetCpus, f.CpusetMems
	if w, err := unsigned("--blkio-weight", f.BlkioWeight, 10, 1000); err != nil {
		return r, err
	} else if w != nil {
		b := uint16(*w)
		r.BlkioWeight = &b
	}
	devices := func(flag string, values []string, parse func(string) (uint64, error)) ([]DeviceValue, error) {
		var out []DeviceValue
		for _, v := range values {
			path, val, ok := strings.Cut(v, ":")
			if !ok || !strings.HasPrefix(path, "/dev/") {
				return nil, fmt.Errorf("%s %q: DEVICE:VALUE with a device under /dev", flag, v)
			}
			n, err := parse(val)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %v", flag, v, err)
			}
			if f.DeviceNumbers == nil {
				return nil, fmt.Errorf("%s: no way to find %s", flag, path)
			}
			major, minor, err := f.DeviceNumbers(path)
			if err != nil {
				return nil, fmt.Errorf("%s %q: %w", flag, v, err)
			}
			out = append(out, DeviceValue{Path: path, Major: major, Minor: minor, Value: n})
		}
		return out, nil
	}
	rate := func(v string) (uint64, error) {
		n, err := units.RAMInBytes(v)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("a rate such as 1mb")
		}
		return uint64(n), nil
	}
	count := func(v string) (uint64, error) {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return 0, fmt.Errorf("a number of operations per second")
		}
		return n, nil
	}
	weight := func(v string) (uint64, error) {
		n, err := strconv.ParseUint(v, 10, 16)
		if err != nil || n < 10 || n > 1000 {
			return 0, fmt.Errorf("a weight from 10 to 1000")
		}
		return n, nil
	}
	if r.BlkioWeightDevice, err = devices("--blkio-weight-device", f.BlkioWeightDevice, weight); err != nil {
		return r, err
	}
	if r.DeviceReadBps, err = devices("--device-read-bps", f.DeviceReadBps, rate); err != nil {
		return r, err
	}
	if r.DeviceWriteBps, err = devices("--device-write-bps", f.DeviceWriteBps, rate); err != nil {
		return r, err
	}
	if r.DeviceReadIOps, err = devices("--device-read-iops", f.DeviceReadIOps, count); err != nil {
		return r, err
	}
	if r.DeviceWriteIOps, err = devices("--device-write-iops", f.DeviceWriteIOps, count); err != nil {
		return r, err
	}
	return r, nil
}

func validCPUList(s string) bool {
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(lo, 10, 16)
		if err != nil {
			return false
		}
		if isRange {
			b, err := strconv.ParseUint(hi, 10, 16)
			if err != nil || b < a {
				return false
			}
		}
	}
	return true
}

// IsZero reports whether no limit is set.
func (r Resources) IsZero() bool {
	return r.Memory == nil && r.MemoryReservation == nil && r.MemorySwap == nil && r.MemorySwappiness == nil &&
		r.CPUShares == nil && r.CPUQuota == nil && r.CPUPeriod == nil && r.CPURtPeriod == nil && r.CPURtRuntime == nil &&
		r.CpusetCpus == "" && r.CpusetMems == "" && r.BlkioWeight == nil && len(r.BlkioWeightDevice) == 0 &&
		len(r.DeviceReadBps) == 0 && len(r.DeviceWriteBps) == 0 && len(r.DeviceReadIOps) == 0 && len(r.DeviceWriteIOps) == 0 &&
		r.PidsLimit == nil
}

// Merge returns r with the limits set in u put over it, checked
// together: swap, which counts memory in, is no less than memory.
func (r Resources) Merge(u Resources) (Resources, error) {
	pick := func(dst **int64, src *int64) {
		if src != nil {
			*dst = src
		}
	}
	pickU := func(dst **uint64, src *uint64) {
		if src != nil {
			*dst = src
		}
	}
	pick(&r.Memory, u.Memory)
	pick(&r.MemoryReservation, u.MemoryReservation)
	pick(&r.MemorySwap, u.MemorySwap)
	pickU(&r.MemorySwappiness, u.MemorySwappiness)
	pickU(&r.CPUShares, u.CPUShares)
	pick(&r.CPUQuota, u.CPUQuota)
	pickU(&r.CPUPeriod, u.CPUPeriod)
	pickU(&r.CPURtPeriod, u.CPURtPeriod)
	pick(&r.CPURtRuntime, u.CPURtRuntime)
	pick(&r.PidsLimit, u.PidsLimit)
	if u.CpusetCpus != "" {
		r.CpusetCpus = u.CpusetCpus
	}
	if u.CpusetMems != "" {
		r.CpusetMems = u.CpusetMems
	}
	if u.BlkioWeight != nil {
		r.BlkioWeight = u.BlkioWeight
	}
	r.BlkioWeightDevice = mergeDevices(r.BlkioWeightDevice, u.BlkioWeightDevice)
	r.DeviceReadBps = mergeDevices(r.DeviceReadBps, u.DeviceReadBps)
	r.DeviceWriteBps = mergeDevices(r.DeviceWriteBps, u.DeviceWriteBps)
	r.DeviceReadIOps = mergeDevices(r.DeviceReadIOps, u.DeviceReadIOps)
	r.DeviceWriteIOps = mergeDevices(r.DeviceWriteIOps, u.DeviceWriteIOps)
	if r.MemorySwap != nil && *r.MemorySwap != -1 {
		if r.Memory == nil {
			return r, fmt.Errorf("--memory-swap needs --memory: the swap limit counts memory in")
		}
		if *r.MemorySwap < *r.Memory {
			return r, fmt.Errorf("--memory-swap %d is less than --memory %d: the swap limit counts memory in, so give at least as much", *r.MemorySwap, *r.Memory)
		}
	}
	if r.MemoryReservation != nil && r.Memory != nil && *r.MemoryReservation > *r.Memory {
		return r, fmt.Errorf("--memory-reservation %d is more than --memory %d: the soft limit must be below the hard one", *r.MemoryReservation, *r.Memory)
	}
	return r, nil
}

// mergeDevices puts the values in u over those for the same device in r.
func mergeDevices(r, u []DeviceValue) []DeviceValue {
	out := append([]DeviceValue(nil), r...)
	for _, d := range u {
		replaced := false
		for i := range out {
			if out[i].Major == d.Major && out[i].Minor == d.Minor {
				out[i], replaced = d, true
			}
		}
		if !replaced {
			out = append(out, d)
		}
	}
	return out
}

// Args are the flags that give r back (for generated units): ParseResources
// of them makes the same limits.
func (r Resources) Args() []string {
	var out []string
	num := func(flag string, p *int64) {
		if p != nil {
			out = append(out, flag, strconv.FormatInt(*p, 10))
		}
	}
	unum := func(flag string, p *uint64) {
		if p != nil {
			out = append(out, flag, strconv.FormatUint(*p, 10))
		}
	}
	str := func(flag, v string) {
		if v != "" {
			out = append(out, flag, v)
		}
	}
	devs := func(flag string, ds []DeviceValue) {
		for _, d := range ds {
			out = append(out, flag, d.Path+":"+strconv.FormatUint(d.Value, 10))
		}
	}
	num("--memory", r.Memory)
	num("--memory-reservation", r.MemoryReservation)
	num("--memory-swap", r.MemorySwap)
	unum("--memory-swappiness", r.MemorySwappiness)
	unum("--cpu-shares", r.CPUShares)
	num("--cpu-quota", r.CPUQuota)
	unum("--cpu-period", r.CPUPeriod)
	unum("--cpu-rt-period", r.CPURtPeriod)
	num("--cpu-rt-runtime", r.CPURtRuntime)
	str("--cpuset-cpus", r.CpusetCpus)
	str("--cpuset-mems", r.CpusetMems)
	if r.BlkioWeight != nil {
		out = append(out, "--blkio-weight", strconv.Itoa(int(*r.BlkioWeight)))
	}
	devs("--blkio-weight-device", r.BlkioWeightDevice)
	devs("--device-read-bps", r.DeviceReadBps)
	devs("--device-write-bps", r.DeviceWriteBps)
	devs("--device-read-iops", r.DeviceReadIOps)
	devs("--device-write-iops", r.DeviceWriteIOps)
	num("--pids-limit", r.PidsLimit)
	return out
}
