package vm

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestVMSmoke checks what every systemd test relies on: a booted system,
// cgroup v2, the test user's manager, pod running rootless, and a reboot
// that keeps the disk.
func TestVMSmoke(t *testing.T) {
	v := Shared(t)
	t.Logf("boot took %v", v.BootTime.Round(100*time.Millisecond))

	t.Run("system", func(t *testing.T) {
		if v.SystemState != "running" {
			t.Errorf("system is %s after boot; failed units: %v", v.SystemState, v.FailedUnits)
		}
		if got := strings.TrimSpace(v.MustRun(t, Root, "stat -f -c %T /sys/fs/cgroup")); got != "cgroup2fs" {
			t.Errorf("/sys/fs/cgroup is %s, want cgroup2fs (cgroup v2 only)", got)
		}
		out := v.MustRun(t, Root, "systemctl show -p Version -p Virtualization -p Architecture")
		t.Logf("systemd:\n%s", indent(out))
	})

	t.Run("user manager", func(t *testing.T) {
		out, stderr, code := v.Run(t, TestUser, `systemctl --user is-system-running; echo "$XDG_RUNTIME_DIR"; cat /proc/self/cgroup`)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != 0 || len(lines) < 3 || lines[0] != "running" {
			t.Fatalf("systemctl --user is-system-running: exit %d\n%s%s", code, out, stderr)
		}
		if lines[1] != "/run/user/1000" {
			t.Errorf("XDG_RUNTIME_DIR is %q, want /run/user/1000", lines[1])
		}
		// Scripts of the test user run in a login session of their own.
		if !strings.Contains(lines[2], "/user.slice/user-1000.slice/session-") {
			t.Errorf("the test user's script runs in cgroup %q, want a session scope", lines[2])
		}
		ctrl := strings.Fields(v.MustRun(t, Root,
			"cat /sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/cgroup.controllers"))
		t.Logf("controllers delegated to %s's manager: %v", TestUser, ctrl)
		for _, want := range []string{"memory", "pids"} {
			if !slices.Contains(ctrl, want) {
				t.Errorf("controller %s is not delegated to the user's manager (have %v)", want, ctrl)
			}
		}
	})

	t.Run("pod", func(t *testing.T) {
		t.Log(strings.TrimSpace(v.MustRun(t, TestUser, "pod version")))
		info := v.MustRun(t, TestUser, "pod info")
		t.Logf("pod info:\n%s", indent(info))
		v.ImportBusybox(t, TestUser, "localhost/vm/busybox:latest")
		defer v.Run(t, TestUser, "pod rmi -f localhost/vm/busybox:latest")
		out := v.MustRun(t, TestUser, "pod run --rm localhost/vm/busybox:latest sh -c 'echo hello from $(id -u); cat /proc/self/uid_map'")
		if !strings.HasPrefix(out, "hello from 0\n") {
			t.Fatalf("pod run printed %q", out)
		}
		if left := strings.TrimSpace(v.MustRun(t, TestUser, "pod ps -a -q")); left != "" {
			t.Errorf("pod run --rm left containers: %s", left)
		}
		rt := strings.TrimSpace(v.MustRun(t, TestUser, "pod info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Version}}'"))
		t.Logf("pod runs containers with %s", rt)
	})

	t.Run("reboot", func(t *testing.T) {
		before := v.BootID()
		v.MustRun(t, TestUser, "echo kept > ~/before-reboot")
		v.Reboot(t)
		t.Logf("reboot took %v", v.BootTime.Round(100*time.Millisecond))
		if v.BootID() == before {
			t.Fatalf("boot ID %s unchanged by the reboot", before)
		}
		if got := v.MustRun(t, Root, "cat /proc/sys/kernel/random/boot_id"); strings.TrimSpace(got) != v.BootID() {
			t.Errorf("guest says boot %s, the harness %s", strings.TrimSpace(got), v.BootID())
		}
		if got := v.MustRun(t, TestUser, "cat ~/before-reboot; rm ~/before-reboot"); got != "kept\n" {
			t.Errorf("file written before the reboot reads %q after it", got)
		}
		if v.SystemState != "running" {
			t.Errorf("system is %s after the reboot; failed units: %v", v.SystemState, v.FailedUnits)
		}
		if out := v.MustRun(t, TestUser, "systemctl --user is-system-running; test -x "+PodPath+" && echo pod"); out != "running\npod\n" {
			t.Errorf("after the reboot: %q", out)
		}
	})
}
