package lifecycle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/opencontainers/runtime-spec/specs-go"
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
		// A rootless container with limits gets a cgroup of its own on
		// cgroup v2 when pod runs in one delegated to the user (a systemd
		// --user unit, systemd-run --user --scope -p Delegate=yes): its
		// limits apply, and pause, stats and update work. Not every
		// container: a process can enter such a cgroup only from the
		// user's manager, so pod exec from a login shell would need a
		// scope (see checkExecCgroup).
		if so.Rootless && so.CgroupV2 && wantsCgroup(cfg) {
			if own, ok := writableDelegated(); ok {
				so.OwnCgroup = own
			}
		}
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
	own, err := delegatedCgroup()
	if err != nil {
		return fmt.Errorf("container %s runs systemd, which needs a cgroup of its own: %w", cfg.Name, err)
	}
	if unix.Access(filepath.Join(cgroupRoot, own, "cgroup.subtree_control"), unix.W_OK) != nil {
		return fmt.Errorf("container %s runs systemd, which needs a cgroup of its own, and the cgroup pod runs in (%s) is not delegated to you: start it from a systemd --user unit (or systemd-run --user --scope pod start %s), or run it with --systemd=false", cfg.Name, own, cfg.Name)
	}
	so.OwnCgroup = own
	return nil
}

// wantsCgroup: the container has limits, which a cgroup of its own
// applies.
func wantsCgroup(cfg *container.Config) bool {
	return cfg.Resources != nil || cfg.OOMKillDisable
}

// writableDelegated is the cgroup a rootless container's own goes under
// (delegatedCgroup), when the user may manage it.
func writableDelegated() (string, bool) {
	own, err := delegatedCgroup()
	return own, err == nil && unix.Access(filepath.Join(cgroupRoot, own, "cgroup.subtree_control"), unix.W_OK) == nil
}

// LimitsIgnored: a container's resource limits are not applied here (a
// rootless one with no cgroup of its own: cgroup v1, or pod not started
// from a cgroup delegated to the user).
func LimitsIgnored(rootless bool) bool {
	if !rootless {
		return false
	}
	_, delegated := writableDelegated()
	return !runtime.IsCgroupV2() || !delegated
}

// cgroupRoot is where the cgroup v2 hierarchy is mounted.
const cgroupRoot = "/sys/fs/cgroup"

// runtimeSubgroup is the child of a delegated cgroup (a unit's with
// Delegate=yes) that pod and its monitors move into before a systemd
// container is made beside them: cgroup v2 enables controllers for a
// cgroup's children only when no process is in the cgroup itself.
const runtimeSubgroup = "pod-runtime"

// delegatedCgroup is the cgroup a rootless systemd container's own goes
// under: the caller's, or its parent when the caller has already moved
// into runtimeSubgroup.
func delegatedCgroup() (string, error) {
	own, err := ownCgroup()
	if err != nil {
		return "", err
	}
	if filepath.Base(own) == runtimeSubgroup {
		return filepath.Dir(own), nil
	}
	return own, nil
}

// leaveDelegatedCgroup moves, for a rootless container on cgroup v2,
// every process of the caller's cgroup, when the user may write it,
// into its runtimeSubgroup (Podman does the same
// with --cgroups=split), so that the container's cgroup can be made
// beside them with controllers enabled. The monitor, forked after, stays
// there: still in the unit, which watches it. A cgroup the user may not
// write (a login session's scope) is left alone; systemdOptions refuses
// the container then.
func leaveDelegatedCgroup(cfg *container.Config, rootless bool) error {
	if !rootless || !runtime.IsCgroupV2() || !(container.SystemdMode(cfg) || wantsCgroup(cfg)) {
		return nil
	}
	own, err := ownCgroup()
	if err != nil || filepath.Base(own) == runtimeSubgroup {
		return err
	}
	dir := filepath.Join(cgroupRoot, own)
	if unix.Access(filepath.Join(dir, "cgroup.subtree_control"), unix.W_OK) != nil {
		return nil
	}
	sub := filepath.Join(dir, runtimeSubgroup)
	if err := os.Mkdir(sub, 0o755); err != nil && !os.IsExist(err) {
		return fmt.Errorf("container %s: a cgroup of its own: making cgroup %s: %w", cfg.Name, sub, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return err
	}
	for _, pid := range strings.Fields(string(b)) {
		// A process that ended meanwhile is no error.
		if err := os.WriteFile(filepath.Join(sub, "cgroup.procs"), []byte(pid), 0); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("container %s: a cgroup of its own: moving process %s into cgroup %s: %w", cfg.Name, pid, sub, err)
		}
	}
	return nil
}

// ownCgroup is the cgroup v2 path of the calling process.
func ownCgroup() (string, error) { return runtime.UnifiedCgroup("self") }

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

// checkExecCgroup refuses an exec the runtime could not finish: a
// rootless container with a cgroup of its own (a systemd container, or
// one with limits, under the user's systemd --user manager) is joined by
// moving the new process there, which cgroup v2 allows the user only when
// the common ancestor of pod's cgroup and the container's is the user's
// to write; from a login session's scope it is root's.
func checkExecCgroup(cfg *container.Config, spec *specs.Spec, rootless bool) error {
	if !rootless || spec.Linux == nil || spec.Linux.CgroupsPath == "" {
		return nil
	}
	own, err := ownCgroup()
	if err != nil {
		return nil // the runtime says what is wrong
	}
	anc := commonCgroup(own, spec.Linux.CgroupsPath)
	if unix.Access(filepath.Join(cgroupRoot, anc, "cgroup.procs"), unix.W_OK) == nil {
		return nil
	}
	return fmt.Errorf("exec in %s: the container has a cgroup of its own, %s, which cannot be entered from the cgroup pod runs in (%s): run the command in a scope of your systemd --user manager, e.g. systemd-run --user --scope pod exec %s ...", cfg.Name, spec.Linux.CgroupsPath, own, cfg.Name)
}

// commonCgroup is the deepest cgroup that holds both a and b.
func commonCgroup(a, b string) string {
	as := strings.Split(strings.Trim(a, "/"), "/")
	bs := strings.Split(strings.Trim(b, "/"), "/")
	n := 0
	for n < len(as) && n < len(bs) && as[n] == bs[n] && as[n] != "" {
		n++
	}
	return "/" + strings.Join(as[:n], "/")
}
