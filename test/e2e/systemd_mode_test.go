package e2e

import (
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// systemdImage is the tar hack/systemd-image.sh builds (a Debian root
// filesystem with systemd), which make test-e2e passes in
// $POD_E2E_SYSTEMD_IMAGE.
func systemdImage(t *testing.T) string {
	t.Helper()
	p := os.Getenv("POD_E2E_SYSTEMD_IMAGE")
	if p == "" {
		t.Fatal("POD_E2E_SYSTEMD_IMAGE is not set: make test-e2e sets it to what hack/systemd-image.sh builds (needs mmdebstrap)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("POD_E2E_SYSTEMD_IMAGE: %v", err)
	}
	return p
}

func cgroupV2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// TestSystemdRootlessRefused: rootless, a systemd container needs a cgroup
// of its own to write, which neither cgroup v1 nor a login shell's cgroup
// gives: a clear error, and no container.
func TestSystemdRootlessRefused(t *testing.T) {
	e := withImage(t)
	words := []string{"systemd", "cgroup v2", "--systemd=false"}
	if cgroupV2() {
		words = []string{"systemd", "not delegated", "systemd --user unit"}
	}
	expectError(t, e.pod("run", "--name", "sd1", "--systemd", "always", testImage, "true"), 125, words...)
	// An init command makes a systemd container with the default --systemd=true.
	expectError(t, e.pod("run", "--name", "sd2", testImage, "/sbin/init"), 125, words...)
	expect(t, e.pod("ps", "-a", "-q"), 0, "")
	expectError(t, e.pod("run", "--systemd", "sometimes", testImage, "true"), 125, "--systemd", "always")
	expect(t, e.pod("run", "--rm", "--systemd", "false", testImage, "sh", "-c", "test -e /run/lock || echo plain"), 0, "plain\n")
}

// TestSystemdRootful boots a Debian image's systemd as root, where the
// cgroup v1 hierarchies can be given to it: it reaches "running" with no
// failed unit, and pod stop shuts it down cleanly with SIGRTMIN+3.
func TestSystemdRootful(t *testing.T) {
	e := rootEnv(t, "rootless systemd containers need cgroup v2 (the VM tests)")
	tar := systemdImage(t)
	e.ok("import", tar, "localhost/debian-systemd")
	t.Cleanup(func() { e.pod("rm", "-f", "--all") })
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "sd", "localhost/debian-systemd", "/sbin/init"))
	var state string
	if !eventually(90*time.Second, func() bool {
		state = strings.TrimSpace(e.pod("exec", "sd", "systemctl", "is-system-running").stdout)
		return state != "" && state != "starting" && state != "initializing"
	}) || state != "running" {
		t.Fatalf("systemd in the container is %q; failed units:\n%s", state, e.pod("exec", "sd", "systemctl", "--failed", "--no-legend").stdout)
	}
	expect(t, e.pod("exec", "sd", "sh", "-c", "stat -f -c %T /run /run/lock /tmp /var/log/journal; cat /etc/machine-id; echo $container"), 0,
		"tmpfs\ntmpfs\ntmpfs\ntmpfs\n"+id[:32]+"\npod\n")
	if got := e.inspectField("sd", "{{.Config.StopSignal}}"); got != "SIGRTMIN+3" {
		t.Fatalf("stop signal %q, want SIGRTMIN+3", got)
	}
	e.ok("stop", "-t", "60", "sd")
	if st := e.statusOf("sd"); !strings.HasPrefix(st, "Exited (0)") {
		t.Fatalf("after pod stop, systemd's container is %q, want Exited (0): it was killed, not shut down", st)
	}
}
