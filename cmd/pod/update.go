package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
)

func newUpdateCommand(g *globalOptions) *cobra.Command {
	var f container.ResourceFlags
	cmd := &cobra.Command{
		Use:   "update [flags] CONTAINER [CONTAINER...]",
		Short: "Change containers' cgroup limits, at once if they run and at every later start",
		Long: "Change containers' cgroup limits: a running container gets them at once, and every later\n" +
			"start applies them. A container needs a cgroup of its own: rootful containers have one;\n" +
			"rootless ones are refused, saying what the host lacks.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.DeviceNumbers = blockDevice
			u, err := container.ParseResources(f)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if u.IsZero() {
				return usageErrorf("pod update: give at least one limit (--memory, --cpus, --cpu-shares, ...)")
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			return eachTarget(cmd, args, func(ref string) (string, error) {
				rec, err := h.Update(cmd.Context(), ref, u)
				if err != nil {
					return "", err
				}
				return rec.Config.ID, nil
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.Memory, "memory", "m", "", "memory limit: a size such as 512m or 1g")
	fl.StringVar(&f.MemoryReservation, "memory-reservation", "", "memory soft limit: a size")
	fl.StringVar(&f.MemorySwap, "memory-swap", "", "memory plus swap limit: a size, or -1 for unlimited swap")
	fl.StringVar(&f.MemorySwappiness, "memory-swappiness", "", "swappiness, 0 to 100 (-1: the system's)")
	fl.StringVarP(&f.CPUShares, "cpu-shares", "c", "", "CPU shares (relative weight)")
	fl.StringVar(&f.CPUQuota, "cpu-quota", "", "CPU CFS quota in microseconds per period")
	fl.StringVar(&f.CPUPeriod, "cpu-period", "", "CPU CFS period in microseconds")
	fl.StringVar(&f.CPURtPeriod, "cpu-rt-period", "", "CPU real-time period in microseconds")
	fl.StringVar(&f.CPURtRuntime, "cpu-rt-runtime", "", "CPU real-time runtime in microseconds")
	fl.StringVar(&f.CPUs, "cpus", "", "number of CPUs, such as 0.5 or 2 (a quota of a 100 ms period)")
	fl.StringVar(&f.CpusetCpus, "cpuset-cpus", "", "CPUs the container may use (0-3, 0,1)")
	fl.StringVar(&f.CpusetMems, "cpuset-mems", "", "memory nodes the container may use (0-3, 0,1)")
	fl.StringVar(&f.BlkioWeight, "blkio-weight", "", "block IO weight, 10 to 1000")
	fl.StringSliceVar(&f.BlkioWeightDevice, "blkio-weight-device", nil, "block IO weight of a device: DEVICE:WEIGHT")
	fl.StringSliceVar(&f.DeviceReadBps, "device-read-bps", nil, "read rate limit of a device: DEVICE:RATE (1mb)")
	fl.StringSliceVar(&f.DeviceWriteBps, "device-write-bps", nil, "write rate limit of a device: DEVICE:RATE (1mb)")
	fl.StringSliceVar(&f.DeviceReadIOps, "device-read-iops", nil, "read operations per second of a device: DEVICE:N")
	fl.StringSliceVar(&f.DeviceWriteIOps, "device-write-iops", nil, "write operations per second of a device: DEVICE:N")
	return cmd
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
