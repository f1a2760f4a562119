package userns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/procid"
	"github.com/pod-project/pod/storage"
)

// pauseArg0 names the pause process in ps and identifies it in /proc.
const pauseArg0 = "pod-pause"

// PauseMain is the pause process: it owns the user and mount namespaces and
// sleeps until killed. SIGTERM ends it, so that a shutdown does not wait
// for it (the next pod call recovers the namespaces through a live
// monitor); a terminal's signals do not.
func PauseMain() {
	signal.Ignore(syscall.SIGINT, syscall.SIGHUP, syscall.SIGPIPE, syscall.SIGUSR1, syscall.SIGUSR2)
	_ = os.Chdir("/")
	for {
		_ = unix.Pause()
	}
}

// EnsurePause returns the PID of the user's live pause process, creating it
// when there is none. Concurrent callers create exactly one: creation runs
// under a lock next to the PID file, and the file is re-read under it.
func EnsurePause(m Mode) (int, error) {
	if pid, ok := livePause(m); ok {
		return pid, nil
	}
	if err := os.MkdirAll(m.RuntimeDir, 0o700); err != nil {
		return 0, fmt.Errorf("creating runtime directory %s: %w", m.RuntimeDir, err)
	}
	unlock, err := storage.Lock(filepath.Join(m.RuntimeDir, "pause.lock"))
	if err != nil {
		return 0, err
	}
	defer unlock()
	if pid, ok := livePause(m); ok {
		return pid, nil
	}
	// Containers may still run in the namespace of a dead pause process:
	// join it through one of their monitors rather than make a new one.
	pid, err := recoverPause(m)
	if pid == 0 {
		pid, err = startPause(m)
	}
	if err != nil {
		return 0, err
	}
	// The identity first, then the plain PID file tools read (nsenter -t).
	id, err := procid.Of(pid)
	if err == nil {
		err = storage.WriteFileAtomic(m.pauseIDFile(), id.Marshal(), 0o600)
	}
	if err == nil {
		err = storage.WriteFileAtomic(m.PauseFile(), []byte(strconv.Itoa(pid)+"\n"), 0o600)
	}
	if err != nil {
		_ = id.Signal(unix.SIGKILL)
		return 0, err
	}
	return pid, nil
}

// pauseIDFile holds the pause process's identity (PID, start time, boot)
// beside pause.pid.
func (m Mode) pauseIDFile() string { return filepath.Join(m.RuntimeDir, "pause.id") }

// livePause reads the PID file and checks that the process is still this
// user's pause process: the one recorded (same start time and boot), or,
// for a file of an earlier pod without identity, a pause process of the
// user.
func livePause(m Mode) (int, bool) {
	id, ok := pauseID(m)
	if !ok {
		return 0, false
	}
	if id.Known() && !id.Alive() {
		return 0, false
	}
	return id.PID, IsPause(id.PID, m.HostUID)
}

// pauseID reads the recorded pause process: its identity when pause.id
// matches pause.pid, else the PID alone.
func pauseID(m Mode) (procid.ID, bool) {
	plain, err := procid.ReadFile(m.PauseFile())
	if err != nil || plain.PID <= 0 {
		return procid.ID{}, false
	}
	if id, err := procid.ReadFile(m.pauseIDFile()); err == nil && id.PID == plain.PID {
		return id, true
	}
	return plain, true
}

// IsPause reports whether pid is a pause process of uid.
func IsPause(pid, uid int) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !bytes.HasPrefix(cmdline, []byte(pauseArg0+"\x00")) {
		return false
	}
	var st unix.Stat_t
	if err := unix.Stat(fmt.Sprintf("/proc/%d", pid), &st); err != nil {
		return false
	}
	return int(st.Uid) == uid
}

// startPause creates the namespaces with a new pause process and maps the
// user's ranges into them.
func startPause(m Mode) (int, error) {
	uidRanges, err := ReadSubIDs("/etc/subuid", m.UserName, m.HostUID)
	if err != nil {
		return 0, err
	}
	gidRanges, err := ReadSubIDs("/etc/subgid", m.UserName, m.HostUID)
	if err != nil {
		return 0, err
	}
	newuidmap, err := findIDMapTool("newuidmap")
	if err != nil {
		return 0, err
	}
	newgidmap, err := findIDMapTool("newgidmap")
	if err != nil {
		return 0, err
	}
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("finding pod's own executable: %w", err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer null.Close()
	cmd := &exec.Cmd{
		Path:   self,
		Args:   []string{pauseArg0},
		Env:    []string{RoleEnv + "=" + RolePause},
		Dir:    "/",
		Stdin:  null,
		Stdout: null,
		Stderr: null,
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
			Setsid:     true,
		},
	}
	if err := cmd.Start(); err != nil {
		return 0, usernsError(err)
	}
	pid := cmd.Process.Pid
	fail := func(err error) (int, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return 0, err
	}
	if err := runIDMap(newuidmap, MapArgs(pid, m.HostUID, uidRanges)); err != nil {
		return fail(err)
	}
	if err := runIDMap(newgidmap, MapArgs(pid, m.HostGID, gidRanges)); err != nil {
		return fail(err)
	}
	_ = cmd.Process.Release()
	return pid, nil
}

// usernsError turns the kernel's refusal of CLONE_NEWUSER into the fix.
func usernsError(err error) error {
	if !errors.Is(err, unix.EPERM) && !errors.Is(err, unix.ENOSPC) && !errors.Is(err, unix.EACCES) {
		return fmt.Errorf("starting the pause process: %w", err)
	}
	why := "the kernel refused to create a user namespace"
	if b, e := os.ReadFile("/proc/sys/user/max_user_namespaces"); e == nil && strings.TrimSpace(string(b)) == "0" {
		why += ": user.max_user_namespaces is 0; fix: sudo sysctl -w user.max_user_namespaces=28633"
	} else if b, e := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); e == nil && strings.TrimSpace(string(b)) == "1" {
		why += ": AppArmor restricts unprivileged user namespaces; fix: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile allowing userns for pod"
	} else if b, e := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); e == nil && strings.TrimSpace(string(b)) == "0" {
		why += ": kernel.unprivileged_userns_clone is 0; fix: sudo sysctl -w kernel.unprivileged_userns_clone=1"
	}
	return fmt.Errorf("%s (%v): %w", why, err, ErrUsernsDisabled)
}

// findIDMapTool finds newuidmap/newgidmap and checks that it can map ids:
// setuid root, or file capabilities.
func findIDMapTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s not found in $PATH; it comes with the uidmap package (sudo apt-get install uidmap): %w", name, ErrNoIDMapTools)
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	if st.Mode&unix.S_ISUID != 0 && st.Uid == 0 {
		return p, nil
	}
	if sz, err := unix.Getxattr(p, "security.capability", nil); err == nil && sz > 0 {
		return p, nil
	}
	return "", fmt.Errorf("%s is neither setuid root nor has file capabilities; fix: sudo chmod u+s %s, or sudo setcap cap_setuid+ep %s (newgidmap: cap_setgid+ep): %w", p, p, p, ErrNoIDMapTools)
}

func runIDMap(tool string, args []string) error {
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s: check the ranges in /etc/subuid and /etc/subgid: %w",
			filepath.Base(tool), strings.Join(args, " "), err, strings.TrimSpace(string(out)), ErrNoIDMapTools)
	}
	return nil
}
