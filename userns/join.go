package userns

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"github.com/sirupsen/logrus"
)

// Enter makes the rest of this call run inside the user's namespace. Root,
// and a process already inside, continue at once. Otherwise it ensures the
// pause process and re-executes pod (args are os.Args) through
// `nsenter -U -m --preserve-credentials -t PID`; it returns only on error.
func Enter(m Mode, args []string) error {
	if !m.Rootless || m.Joined {
		return nil
	}
	pid, err := EnsurePause(m)
	if err != nil {
		return err
	}
	return execInto(m, pid, args)
}

func execInto(m Mode, pid int, args []string) error {
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		return fmt.Errorf("nsenter not found in $PATH; it comes with util-linux (sudo apt-get install util-linux): %w", ErrNoNsenter)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding pod's own executable: %w", err)
	}
	argv := append([]string{"nsenter", "-U", "-m", "--preserve-credentials", "-t", strconv.Itoa(pid), "--", self}, args[1:]...)
	cwd, _ := os.Getwd()
	env := append(os.Environ(),
		joinedEnv+"=1",
		joinedPIDEnv+"="+strconv.Itoa(os.Getpid()),
		hostUIDEnv+"="+strconv.Itoa(m.HostUID),
		hostGIDEnv+"="+strconv.Itoa(m.HostGID),
		runtimeDirEnv+"="+m.RuntimeDir,
		cwdEnv+"="+cwd,
		argv0Env+"="+os.Args[0],
		usernsConfEnv+"=done",
		rootlessUID+"="+strconv.Itoa(m.HostUID),
	)
	logrus.Debugf("joining the user namespace of pause process %d", pid)
	if err := syscall.Exec(nsenter, argv, env); err != nil {
		return fmt.Errorf("re-executing pod through %s: %w", nsenter, err)
	}
	return nil
}
