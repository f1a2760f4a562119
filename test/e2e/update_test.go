package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpdateRootful: as root, pod update changes a running container's
// cgroup at once (read back from the cgroup files), keeps the limits for
// its next start, and shows them in inspect; bad limits change nothing.
func TestUpdateRootful(t *testing.T) {
	e := rootEnv(t, "a cgroup of the container's own")
	e.importImage(testImage)
	t.Cleanup(func() { e.pod("rm", "-f", "--all") })
	e.ok("run", "-d", "--name", "u", testImage, "sleep", "1000")
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "u"))
	expect(t, e.pod("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--cpu-shares", "512", "u"), 0, id+"\n")
	limit := func() string { return cgroupFile(t, "memory", id, "memory.limit_in_bytes", "memory.max") }
	if got := limit(); got != "67108864" {
		t.Fatalf("memory limit in the cgroup: %q, want 67108864", got)
	}
	if got := cgroupFile(t, "cpu", id, "cpu.cfs_quota_us", "cpu.max"); got != "50000" && !strings.HasPrefix(got, "50000 ") {
		t.Fatalf("CPU quota in the cgroup: %q", got)
	}
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", "u"), 0,
		"67108864 134217728 500000000 512\n")
	// A later start applies them again; a second update merges.
	e.ok("restart", "-t", "0", "u")
	if got := limit(); got != "67108864" {
		t.Fatalf("memory limit after a restart: %q", got)
	}
	e.ok("update", "--memory", "96m", "u")
	if got := limit(); got != "100663296" {
		t.Fatalf("memory limit after a second update: %q", got)
	}
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "u"), 0, "100663296 500000000\n")
	expectError(t, e.pod("update", "--memory-swap", "32m", "u"), 125, "less than --memory")
	expectError(t, e.pod("update", "u"), 125, "at least one limit")
	expectError(t, e.pod("update", "--device-read-bps", "/dev/null:1mb", "u"), 125, "not a block device")
	expectError(t, e.pod("update", "--memory", "1m", "u"), 125, "at least 6291456 bytes")
	expectError(t, e.pod("update", "--memory", "10m", "nosuch"), 125, "nosuch")
	if got := limit(); got != "100663296" {
		t.Fatalf("memory limit after refused updates: %q", got)
	}
	// A stopped container keeps them for its start.
	e.ok("create", "--name", "idle", testImage, "sleep", "1000")
	e.ok("update", "--memory", "32m", "idle")
	e.ok("start", "idle")
	idle := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "idle"))
	if got := cgroupFile(t, "memory", idle, "memory.limit_in_bytes", "memory.max"); got != "33554432" {
		t.Fatalf("memory limit of a container updated before its start: %q", got)
	}
}

// cgroupFile reads a rootful container's cgroup file, of cgroup v1's
// controller hierarchy or of v2's.
func cgroupFile(t *testing.T, controller, id, v1, v2 string) string {
	t.Helper()
	for _, p := range []string{filepath.Join("/sys/fs/cgroup", controller, "pod", id, v1), filepath.Join("/sys/fs/cgroup/pod", id, v2)} {
		if b, err := os.ReadFile(p); err == nil {
			return strings.TrimSpace(string(b))
		}
	}
	t.Fatalf("no %s or %s for container %s", v1, v2, id)
	return ""
}

// TestUpdateRootless: a rootless container has no cgroup of its own
// here: update is refused saying what the host lacks, and nothing is
// recorded.
func TestUpdateRootless(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "u", testImage, "sleep", "1000")
	expectError(t, e.pod("update", "--memory", "64m", "u"), 125, "updating the limits of u", "cgroup")
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}}", "u"), 0, "0\n")
	e.ok("rm", "-f", "u")
}

// TestRunResourcesRootful: run's resource flags reach the container's
// cgroup as root (and inspect shows them); a process over --pids-limit
// cannot start.
func TestRunResourcesRootful(t *testing.T) {
	e := rootEnv(t, "a cgroup of the container's own")
	e.importImage(testImage)
	t.Cleanup(func() { e.pod("rm", "-f", "--all") })
	e.ok("run", "-d", "--name", "lim", "--memory", "48m", "--pids-limit", "20", "--cpus", "1.5", "--cpu-shares", "256", testImage, "sleep", "1000")
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "lim"))
	if got := cgroupFile(t, "memory", id, "memory.limit_in_bytes", "memory.max"); got != "50331648" {
		t.Fatalf("memory limit: %q", got)
	}
	if got := cgroupFile(t, "pids", id, "pids.max", "pids.max"); got != "20" {
		t.Fatalf("pids limit: %q", got)
	}
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}} {{.HostConfig.PidsLimit}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", "lim"), 0,
		"50331648 20 1500000000 256\n")
	r := e.pod("exec", "lim", "sh", "-c", "for i in $(seq 30); do sleep 5 & done; wait")
	if r.code == 0 || !strings.Contains(r.stderr+r.stdout, "can't fork") && !strings.Contains(r.stderr+r.stdout, "Resource temporarily unavailable") {
		t.Fatalf("30 processes under --pids-limit 20:\n%s", r)
	}
	expectError(t, e.pod("run", "--rm", "--pids-limit", "0", testImage, "true"), 125, "--pids-limit 0")
	expectError(t, e.pod("run", "--rm", "--memory", "1g", "--memory-swap", "512m", testImage, "true"), 125, "less than --memory")
}

// TestRunResourcesRootless: rootless on cgroup v1, the limits are
// recorded (inspect, generate systemd) but not applied, with Podman's
// one warning line.
func TestRunResourcesRootless(t *testing.T) {
	e := withImage(t)
	r := e.pod("run", "--rm", "--memory", "64m", "--cpus", "0.5", testImage, "true")
	if r.code != 0 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "Resource limits are not supported and ignored on cgroups V1 rootless systems") {
		t.Fatalf("rootless run --memory:\n%s", r)
	}
	e.ok("create", "--name", "c", "--memory", "64m", testImage, "true")
	expect(t, e.pod("inspect", "--format", "{{.HostConfig.Memory}}", "c"), 0, "67108864\n")
	if unit := e.ok("generate", "systemd", "--new", "c"); !strings.Contains(unit, "--memory 67108864") {
		t.Fatalf("the unit lacks the memory limit:\n%s", unit)
	}
	if out := e.ok("info", "--format", "{{.Host.ResourceLimits}}"); !strings.Contains(out, "ignored on cgroups V1 rootless") {
		t.Fatalf("info's resourceLimits: %q", out)
	}
	e.ok("rm", "c")
}
