package container

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseResources(t *testing.T) {
	devs := func(path string) (int64, int64, error) {
		if path == "/dev/sda" {
			return 8, 0, nil
		}
		return 0, 0, errors.New("not a block device")
	}
	r, err := ParseResources(ResourceFlags{
		Memory: "512m", MemorySwap: "1g", MemoryReservation: "256m", MemorySwappiness: "10",
		CPUs: "1.5", CPUShares: "512", CpusetCpus: "0-1,3", BlkioWeight: "300",
		DeviceReadBps: []string{"/dev/sda:1mb"}, DeviceWriteIOps: []string{"/dev/sda:100"}, BlkioWeightDevice: []string{"/dev/sda:200"},
		DeviceNumbers: devs,
	})
	if err != nil {
		t.Fatal(err)
	}
	if *r.Memory != 512<<20 || *r.MemorySwap != 1<<30 || *r.MemoryReservation != 256<<20 || *r.MemorySwappiness != 10 {
		t.Errorf("memory: %d %d %d %d", *r.Memory, *r.MemorySwap, *r.MemoryReservation, *r.MemorySwappiness)
	}
	if *r.CPUQuota != 150000 || *r.CPUPeriod != 100000 || *r.CPUShares != 512 || r.CpusetCpus != "0-1,3" || *r.BlkioWeight != 300 {
		t.Errorf("cpu: %+v", r)
	}
	if len(r.DeviceReadBps) != 1 || r.DeviceReadBps[0] != (DeviceValue{Path: "/dev/sda", Major: 8, Value: 1 << 20}) ||
		r.DeviceWriteIOps[0].Value != 100 || r.BlkioWeightDevice[0].Value != 200 {
		t.Errorf("devices: %+v", r)
	}
	if r, err := ParseResources(ResourceFlags{MemorySwap: "-1", MemorySwappiness: "-1"}); err != nil || *r.MemorySwap != -1 || r.MemorySwappiness != nil {
		t.Errorf("swap -1: %+v %v", r, err)
	}
	if r, _ := ParseResources(ResourceFlags{}); !r.IsZero() {
		t.Errorf("no flags: %+v", r)
	}
	bad := map[string]ResourceFlags{
		"--memory":              {Memory: "1k"},
		"--memory \"lots\"":     {Memory: "lots"},
		"--memory-swappiness":   {MemorySwappiness: "101"},
		"--cpus \"0\"":          {CPUs: "0"},
		"--cpus and --cpu-quo":  {CPUs: "1", CPUQuota: "50000"},
		"--cpu-period":          {CPUPeriod: "10"},
		"--cpu-shares":          {CPUShares: "1"},
		"--cpuset-cpus":         {CpusetCpus: "3-1"},
		"--cpuset-mems":         {CpusetMems: "a"},
		"--blkio-weight":        {BlkioWeight: "5"},
		"--device-read-bps":     {DeviceReadBps: []string{"sda:1mb"}, DeviceNumbers: devs},
		"not a block device":    {DeviceReadBps: []string{"/dev/null:1mb"}, DeviceNumbers: devs},
		"a weight from 10":      {BlkioWeightDevice: []string{"/dev/sda:5"}, DeviceNumbers: devs},
		"operations per second": {DeviceReadIOps: []string{"/dev/sda:0"}, DeviceNumbers: devs},
	}
	for want, f := range bad {
		if _, err := ParseResources(f); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want one saying %q", f, err, want)
		}
	}
}

func TestMergeResources(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	old := Resources{Memory: n(100 << 20), CPUQuota: n(50000), DeviceReadBps: []DeviceValue{{Path: "/dev/sda", Major: 8, Value: 1}}}
	got, err := old.Merge(Resources{Memory: n(200 << 20), MemorySwap: n(300 << 20), DeviceReadBps: []DeviceValue{{Path: "/dev/sda", Major: 8, Value: 2}, {Path: "/dev/sdb", Major: 8, Minor: 16, Value: 3}}})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Memory != 200<<20 || *got.MemorySwap != 300<<20 || *got.CPUQuota != 50000 || len(got.DeviceReadBps) != 2 || got.DeviceReadBps[0].Value != 2 {
		t.Errorf("merged: %+v", got)
	}
	if *old.Memory != 100<<20 || old.DeviceReadBps[0].Value != 1 {
		t.Errorf("the old limits changed: %+v", old)
	}
	if _, err := got.Merge(Resources{Memory: n(400 << 20)}); err == nil || !strings.Contains(err.Error(), "less than --memory") {
		t.Errorf("swap below memory: %v", err)
	}
	if _, err := (Resources{}).Merge(Resources{MemorySwap: n(1 << 30)}); err == nil || !strings.Contains(err.Error(), "needs --memory") {
		t.Errorf("swap alone: %v", err)
	}
	if _, err := (Resources{}).Merge(Resources{Memory: n(1 << 20), MemoryReservation: n(2 << 20)}); err == nil {
		t.Errorf("reservation above the limit: no error")
	}
}

// TestResourcesArgs: Args gives flags that parse back to the same limits.
func TestResourcesArgs(t *testing.T) {
	devs := func(path string) (int64, int64, error) { return 8, 16, nil }
	r, err := ParseResources(ResourceFlags{
		Memory: "512m", MemorySwap: "-1", MemoryReservation: "100m", MemorySwappiness: "0", CPUs: "1.5", CPUShares: "512",
		CPURtPeriod: "1000", CPURtRuntime: "-1", CpusetCpus: "0-1", CpusetMems: "0", BlkioWeight: "300", PidsLimit: "-1",
		BlkioWeightDevice: []string{"/dev/sdb:200"}, DeviceReadBps: []string{"/dev/sdb:1mb"}, DeviceWriteBps: []string{"/dev/sdb:2mb"},
		DeviceReadIOps: []string{"/dev/sdb:100"}, DeviceWriteIOps: []string{"/dev/sdb:200"}, DeviceNumbers: devs,
	})
	if err != nil {
		t.Fatal(err)
	}
	args := r.Args()
	f := ResourceFlags{DeviceNumbers: devs}
	fields := map[string]*string{"--memory": &f.Memory, "--memory-swap": &f.MemorySwap, "--memory-reservation": &f.MemoryReservation,
		"--memory-swappiness": &f.MemorySwappiness, "--cpu-shares": &f.CPUShares, "--cpu-quota": &f.CPUQuota, "--cpu-period": &f.CPUPeriod,
		"--cpu-rt-period": &f.CPURtPeriod, "--cpu-rt-runtime": &f.CPURtRuntime, "--cpuset-cpus": &f.CpusetCpus, "--cpuset-mems": &f.CpusetMems,
		"--blkio-weight": &f.BlkioWeight, "--pids-limit": &f.PidsLimit}
	lists := map[string]*[]string{"--blkio-weight-device": &f.BlkioWeightDevice, "--device-read-bps": &f.DeviceReadBps,
		"--device-write-bps": &f.DeviceWriteBps, "--device-read-iops": &f.DeviceReadIOps, "--device-write-iops": &f.DeviceWriteIOps}
	for i := 0; i+1 < len(args); i += 2 {
		if p, ok := fields[args[i]]; ok {
			*p = args[i+1]
		} else if l, ok := lists[args[i]]; ok {
			*l = append(*l, args[i+1])
		} else {
			t.Fatalf("Args wrote %s, which ParseResources does not take", args[i])
		}
	}
	back, err := ParseResources(f)
	if err != nil {
		t.Fatalf("Args %q: %v", args, err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Fatalf("Args %q gave %+v, want %+v", args, back, r)
	}
}
