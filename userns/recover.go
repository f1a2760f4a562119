package userns

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// RolePauseSpawn is pod started through nsenter inside the namespaces of a
// live monitor: it starts a new pause process there and prints its PID.
// RolePauseSpawnMount is the same inside the user namespace only of
// another of the user's processes: the new pause process gets a mount
// namespace of its own.
const (
	RolePauseSpawn      = "pause-spawn"
	RolePauseSpawnMount = "pause-spawn-mount"
)

// monitorArg0 is how monitors name themselves (monitor.Arg0).
const monitorArg0 = "pod-monitor"

// MonitorsDir is where container monitors keep their PIDs (<id>.pid), so
// that a new pause process can be started inside their namespaces.
func (m Mode) MonitorsDir() string { return filepath.Join(m.RuntimeDir, "monitors") }

// anchorsSuffix names the file beside a monitor's PID file that lists the
// processes of its container living in the user namespace.
const anchorsSuffix = ".anchors"

// WriteAnchors records, for container id, processes that live in the user
// namespace (the runtime's run process, the container's init): should the
// pause process and the monitor die, the namespace is recovered through
// them, so that pod can still signal the container's processes (a new
// namespace could not: they belong to it by their subordinate ids).
func WriteAnchors(runtimeDir, id string, ids []procid.ID) error {
	dir := filepath.Join(runtimeDir, "monitors")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var b []byte
	for _, a := range ids {
		if a.Known() {
			b = append(b, a.Marshal()...)
		}
	}
	return storage.WriteFileAtomicVolatile(filepath.Join(dir, id+anchorsSuffix), b, 0o600)
}

// RemoveAnchors forgets what WriteAnchors recorded for container id.
func RemoveAnchors(runtimeDir, id string) {
	_ = os.Remove(filepath.Join(runtimeDir, "monitors", id+anchorsSuffix))
}

// readAnchors reads an anchors file: one identity a line.
func readAnchors(path string) []procid.ID {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []procid.ID
	for _, l := range strings.Split(string(b), "\n") {
		if id, err := procid.Parse([]byte(l)); err == nil && id.Known() {
			out = append(out, id)
		}
	}
	return out
}

// recoverPause starts a new pause process inside the namespaces of a live
// monitor of this user, else in the user namespace of another live process
// a monitor recorded (with a mount namespace of its own), and returns its
// PID (0: none lives, a new namespace is needed). Called under the pause
// lock after the pause process was found dead.
func recoverPause(m Mode) (int, error) {
	if pid := recoverThroughMonitor(m); pid > 0 {
		return pid, nil
	}
	ents, _ := os.ReadDir(m.MonitorsDir())
	for _, ent := range ents {
		if !strings.HasSuffix(ent.Name(), anchorsSuffix) {
			continue
		}
		for _, a := range readAnchors(filepath.Join(m.MonitorsDir(), ent.Name())) {
			if !a.Alive() || !ownedBy(a.PID, m.HostUID) {
				continue
			}
			pid, err := spawnPauseIn(a.PID, false)
			if err != nil {
				logrus.Debugf("starting a pause process in the user namespace of %d: %v", a.PID, err)
				continue
			}
			logrus.Debugf("the pause process and the monitors had died; started %d in the user namespace of %d", pid, a.PID)
			return pid, nil
		}
	}
	return 0, nil
}

// ownedBy reports whether pid runs as uid on the host (the processes of
// another uid, a container's subordinate ones, cannot be entered).
func ownedBy(pid, uid int) bool {
	var st unix.Stat_t
	return unix.Stat(fmt.Sprintf("/proc/%d", pid), &st) == nil && int(st.Uid) == uid
}

// recoverThroughMonitor starts a new pause process in the user and mount
// namespaces of a live monitor; 0 when none lives.
func recoverThroughMonitor(m Mode) int {
	ents, err := os.ReadDir(m.MonitorsDir())
	if err != nil {
		return 0
	}
	for _, ent := range ents {
		name, ok := strings.CutSuffix(ent.Name(), ".pid")
		if !ok {
			continue
		}
		path := filepath.Join(m.MonitorsDir(), ent.Name())
		mon, ok := liveMonitor(path, m.HostUID, name)
		if !ok {
			_ = os.Remove(path)
			continue
		}
		pid, err := spawnPauseIn(mon, true)
		if err != nil {
			logrus.Debugf("starting a pause process in the namespaces of monitor %d: %v", mon, err)
			continue
		}
		logrus.Debugf("the pause process had died; started %d in the namespaces of monitor %d", pid, mon)
		return pid
	}
	return 0
}

// liveMonitor reads a monitor's PID file and returns its PID when the
// process is still that monitor: the one recorded (same start time and
// boot), and uid's monitor of container id by its command line.
func liveMonitor(path string, uid int, id string) (int, bool) {
	rec, err := procid.ReadFile(path)
	if err != nil || (rec.Known() && !rec.Alive()) {
		return 0, false
	}
	return rec.PID, isMonitor(rec.PID, uid, id)
}

// isMonitor reports whether pid is uid's monitor of container id.
func isMonitor(pid, uid int, id string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.Equal(cmdline, []byte(monitorArg0+"\x00"+id+"\x00")) {
		return false
	}
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d", pid), &st); err != nil {
		return false
	}
	return int(st.Uid) == uid
}

// spawnPauseIn runs pod in its pause-spawn role inside the user namespace
// of process target, and its mount namespace with withMounts (else the
// new pause process makes one of its own), and returns the new pause
// process's PID.
func spawnPauseIn(target int, withMounts bool) (int, error) {
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return 0, fmt.Errorf("nsenter not found in $PATH; it comes with util-linux (sudo apt-get install util-linux): %w", ErrNoNsenter)
	}
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	args, role := []string{"-U", "-m"}, RolePauseSpawn
	if !withMounts {
		args, role = []string{"-U"}, RolePauseSpawnMount
	}
	cmd := exec.Command(nsenter, append(args, "--preserve-credentials", "-t", strconv.Itoa(target), "--", self)...)
	cmd.Env = []string{RoleEnv + "=" + role}
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("nsenter into %d: %w", target, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("nsenter into %d: no pause pid in %q", target, out)
	}
	return pid, nil
}

// PauseSpawnMain starts a pause process in the namespaces this process
// runs in (it owns none of its own; in the pause-spawn-mount role with a
// mount namespace of its own) and prints its PID.
func PauseSpawnMain() {
	self, err := os.Executable()
	if err != nil {
		os.Exit(1)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		os.Exit(1)
	}
	cmd := &exec.Cmd{
		Path: self, Args: []string{pauseArg0}, Env: []string{RoleEnv + "=" + RolePause}, Dir: "/",
		Stdin: null, Stdout: null, Stderr: null,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if os.Getenv(RoleEnv) == RolePauseSpawnMount {
		cmd.SysProcAttr.Cloneflags = syscall.CLONE_NEWNS
	}
	if err := cmd.Start(); err != nil {
		os.Exit(1)
	}
	fmt.Println(cmd.Process.Pid)
	os.Exit(0)
}

// ReadProcessFile reads the processes a monitor recorded in one of its
// files: its own PID file or its container's anchors.
func ReadProcessFile(path string) []procid.ID {
	if strings.HasSuffix(path, anchorsSuffix) {
		return readAnchors(path)
	}
	id, err := procid.ReadFile(path)
	if err != nil || !id.Known() {
		return nil
	}
	return []procid.ID{id}
}
