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
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"
)

// RolePauseSpawn is pod started through nsenter inside the namespaces of a
// live monitor: it starts a new pause process there and prints its PID.
const RolePauseSpawn = "pause-spawn"

// monitorArg0 is how monitors name themselves (monitor.Arg0).
const monitorArg0 = "pod-monitor"

// MonitorsDir is where container monitors keep their PIDs (<id>.pid), so
// that a new pause process can be started inside their namespaces.
func (m Mode) MonitorsDir() string { return filepath.Join(m.RuntimeDir, "monitors") }

// recoverPause starts a new pause process inside the namespaces of a live
// monitor of this user, when there is one, and returns its PID (0: none).
// Called under the pause lock after the pause process was found dead.
func recoverPause(m Mode) (int, error) {
	ents, err := os.ReadDir(m.MonitorsDir())
	if err != nil {
		return 0, nil
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
		pid, err := spawnPauseIn(mon)
		if err != nil {
			logrus.Debugf("starting a pause process in the namespaces of monitor %d: %v", mon, err)
			continue
		}
		logrus.Debugf("the pause process had died; started %d in the namespaces of monitor %d", pid, mon)
		return pid, nil
	}
	return 0, nil
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

// spawnPauseIn runs pod in its pause-spawn role inside the user and mount
// namespaces of process target, and returns the new pause process's PID.
func spawnPauseIn(target int) (int, error) {
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return 0, fmt.Errorf("nsenter not found in $PATH; it comes with util-linux (sudo apt-get install util-linux): %w", ErrNoNsenter)
	}
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(nsenter, "-U", "-m", "--preserve-credentials", "-t", strconv.Itoa(target), "--", self)
	cmd.Env = []string{RoleEnv + "=" + RolePauseSpawn}
	cmd.Dir = "/"
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("nsenter into monitor %d: %w", target, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("nsenter into monitor %d: no pause pid in %q", target, out)
	}
	return pid, nil
}

// PauseSpawnMain starts a pause process in the namespaces this process
// runs in (it owns none of its own) and prints its PID.
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
	if err := cmd.Start(); err != nil {
		os.Exit(1)
	}
	fmt.Println(cmd.Process.Pid)
	os.Exit(0)
}
