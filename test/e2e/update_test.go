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
