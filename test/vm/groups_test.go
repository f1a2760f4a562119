package vm

import (
	"strings"
	"testing"
)

// TestKeepGroups: with crun, pod's choice here, --group-add keep-groups
// lets the container's process keep the user's supplementary groups (a
// group pod's user namespace does not map shows as 65534, as in
// Podman); without it the process has the image's groups only.
func TestKeepGroups(t *testing.T) {
	v := podInstalled(t)
	const img = "localhost/vm/busybox:latest"
	v.ImportBusybox(t, TestUser, img)
	v.MustRun(t, Root, "usermod -aG users "+TestUser)
	t.Cleanup(func() {
		v.Run(t, Root, "gpasswd -d "+TestUser+" users")
		v.Run(t, TestUser, "pod rmi -f "+img)
	})
	out := v.MustRun(t, TestUser, `id -G | tr ' ' '\n' | grep -x 100
pod run --rm --group-add keep-groups `+img+` grep ^Groups: /proc/self/status
pod run --rm `+img+` grep ^Groups: /proc/self/status
pod info --format '{{.Host.OCIRuntime.Name}}'`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[0] != "100" || !strings.Contains(lines[1], "65534") || strings.Contains(lines[2], "65534") || lines[3] != "crun" {
		t.Fatalf("--group-add keep-groups:\n%s\nwant the user in group 100, the container keeping it (as 65534), a plain run without it, crun", out)
	}
}
