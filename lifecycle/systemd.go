package lifecycle

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// systemdOptions fills in what a systemd container needs (see
// container.SystemdMode): a machine ID and, rootless, the delegated cgroup
// its own goes under.
func systemdOptions(cfg *container.Config, so *runtime.SpecOptions) error {
	if !container.SystemdMode(cfg) {
		return nil
	}
	so.Systemd = true
	if err := writeMachineID(so.Rootfs, cfg.ID); err != nil {
		return fmt.Errorf("container %s: its machine ID: %w", cfg.Name, err)
	}
	if !so.Rootless {
		return nil
	}
	if !so.CgroupV2 {
		return errSystemdV1(cfg.Name)
	}
	own, err := ownCgroup()
	if err != nil {
		return fmt.Errorf("container %s runs systemd, which needs a cgroup of its own: %w", cfg.Name, err)
	}
	if unix.Access(filepath.Join("/sys/fs/cgroup", own), unix.W_OK) != nil {
		return fmt.Errorf("container %s runs systemd, which needs a cgroup of its own, and the cgroup pod runs in (%s) is not delegated to you: start it from a systemd --user unit (or systemd-run --user --scope pod start %s), or run it with --systemd=false", cfg.Name, own, cfg.Name)
	}
	so.OwnCgroup = own
	return nil
}

// ownCgroup is the cgroup v2 path of the calling process.
func ownCgroup() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p, nil
		}
	}
	return "", fmt.Errorf("no cgroup v2 entry in /proc/self/cgroup")
}

// errSystemdV1 refuses a rootless systemd container on cgroup v1.
func errSystemdV1(name string) error {
	return fmt.Errorf("container %s runs systemd, which needs a cgroup it can write: rootless, that takes cgroup v2 with the user's cgroups delegated (this host runs cgroup v1); run it as root, or with --systemd=false", name)
}

// writeMachineID gives a systemd container whose image has no machine ID
// (an empty /etc/machine-id, or "uninitialized") one made from its own
// ID, in its root filesystem: a bind mount there would make systemd try
// to commit it, which an unprivileged container cannot.
func writeMachineID(rootfs, id string) error {
	p, err := securejoin.SecureJoin(rootfs, "/etc/machine-id")
	if err != nil {
		return err
	}
	if b, err := os.ReadFile(p); err == nil && machineID.Match(bytes.TrimSpace(b)) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return storage.WriteFileAtomic(p, []byte(id[:32]+"\n"), 0o444)
}

// machineID is a valid machine ID: 32 lowercase hex digits.
var machineID = regexp.MustCompile(`^[0-9a-f]{32}$`)
