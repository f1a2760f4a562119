package main

import (
	"fmt"

	"github.com/spf13/pflag"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
)

// resourceFlags are the cgroup limit flags that run, create, update and
// build share (each takes the ones Podman gives it): one registry, one
// parser (container.ParseResources).
type resourceFlags struct {
	f container.ResourceFlags
}

// Which resource flags a command takes.
var (
	updateResources = []string{"blkio-weight", "blkio-weight-device", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime",
		"cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "device-read-bps", "device-read-iops", "device-write-bps",
		"device-write-iops", "memory", "memory-reservation", "memory-swap", "memory-swappiness"}
	runResources   = append([]string{"pids-limit"}, updateResources...)
	buildResources = []string{"cpu-period", "cpu-quota", "cpu-shares", "cpuset-cpus", "cpuset-mems", "memory", "memory-swap"}
)

func (r *resourceFlags) register(fl *pflag.FlagSet, names []string) {
	f := &r.f
	all := map[string]func(){
		"memory":             func() { fl.StringVarP(&f.Memory, "memory", "m", "", "memory limit: a size such as 512m or 1g") },
		"memory-reservation": func() { fl.StringVar(&f.MemoryReservation, "memory-reservation", "", "memory soft limit: a size") },
		"memory-swap": func() {
			fl.StringVar(&f.MemorySwap, "memory-swap", "", "memory plus swap limit: a size, or -1 for unlimited swap")
		},
		"memory-swappiness": func() {
			fl.StringVar(&f.MemorySwappiness, "memory-swappiness", "", "swappiness, 0 to 100 (-1: the system's)")
		},
		"cpu-shares":     func() { fl.StringVarP(&f.CPUShares, "cpu-shares", "c", "", "CPU shares (relative weight)") },
		"cpu-quota":      func() { fl.StringVar(&f.CPUQuota, "cpu-quota", "", "CPU CFS quota in microseconds per period") },
		"cpu-period":     func() { fl.StringVar(&f.CPUPeriod, "cpu-period", "", "CPU CFS period in microseconds") },
		"cpu-rt-period":  func() { fl.StringVar(&f.CPURtPeriod, "cpu-rt-period", "", "CPU real-time period in microseconds") },
		"cpu-rt-runtime": func() { fl.StringVar(&f.CPURtRuntime, "cpu-rt-runtime", "", "CPU real-time runtime in microseconds") },
		"cpus": func() {
			fl.StringVar(&f.CPUs, "cpus", "", "number of CPUs, such as 0.5 or 2 (a quota of a 100 ms period)")
		},
		"cpuset-cpus": func() { fl.StringVar(&f.CpusetCpus, "cpuset-cpus", "", "CPUs the container may use (0-3, 0,1)") },
		"cpuset-mems": func() {
			fl.StringVar(&f.CpusetMems, "cpuset-mems", "", "memory nodes the container may use (0-3, 0,1)")
		},
		"blkio-weight": func() { fl.StringVar(&f.BlkioWeight, "blkio-weight", "", "block IO weight, 10 to 1000") },
		"blkio-weight-device": func() {
			fl.StringSliceVar(&f.BlkioWeightDevice, "blkio-weight-device", nil, "block IO weight of a device: DEVICE:WEIGHT")
		},
		"device-read-bps": func() {
			fl.StringSliceVar(&f.DeviceReadBps, "device-read-bps", nil, "read rate limit of a device: DEVICE:RATE (1mb)")
		},
		"device-write-bps": func() {
			fl.StringSliceVar(&f.DeviceWriteBps, "device-write-bps", nil, "write rate limit of a device: DEVICE:RATE (1mb)")
		},
		"device-read-iops": func() {
			fl.StringSliceVar(&f.DeviceReadIOps, "device-read-iops", nil, "read operations per second of a device: DEVICE:N")
		},
		"device-write-iops": func() {
			fl.StringSliceVar(&f.DeviceWriteIOps, "device-write-iops", nil, "write operations per second of a device: DEVICE:N")
		},
		"pids-limit": func() {
			fl.StringVar(&f.PidsLimit, "pids-limit", "", "most processes the container may have (-1: no limit)")
		},
	}
	for _, n := range names {
		all[n]()
	}
}

// parse checks the flags given; a zero Resources when none is. The
// limits are checked together by the caller: update merges them into the
// container's first.
func (r *resourceFlags) parse() (container.Resources, error) {
	r.f.DeviceNumbers = blockDevice
	res, err := container.ParseResources(r.f)
	if err != nil {
		return res, usageErrorf("%v", err)
	}
	return res, nil
}

// parseNew is parse for a new container's limits, checked together.
func (r *resourceFlags) parseNew() (container.Resources, error) {
	res, err := r.parse()
	if err != nil {
		return res, err
	}
	if res, err = (container.Resources{}).Merge(res); err != nil {
		return res, usageErrorf("%v", err)
	}
	return res, nil
}

// blockDevice is the major:minor of the block device at path.
func blockDevice(path string) (int64, int64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, 0, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return 0, 0, fmt.Errorf("%s is not a block device", path)
	}
	return int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev)), nil
}
