// Package podinit is the init role (run --init): pod's own executable as
// a container's PID 1, bind-mounted at /run/pod-init. It starts the
// command, passes the signals it gets on to it, reaps every orphan the
// container's processes leave, and exits with the command's status. A
// command run as PID 1 itself gets no default signal handling from the
// kernel, so SIGTERM and Ctrl-C would not stop it.
package podinit

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Name is the executable's name in the container: argv[0]'s base chooses
// the role.
const Name = "pod-init"

// Path is where pod mounts its executable in a container run with --init.
const Path = "/run/" + Name

// Main runs args (after an optional "--") as the init's child and returns
// the exit code.
func Main(args []string) int {
	if len(args) == 1 && args[0] == Pause {
		return pause()
	}
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		fmt.Fprintf(os.Stderr, "%s: no command to run\n", Name)
		return 125
	}
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s: %v\n", Name, args[0], err)
		return 127
	}
	child, err := os.StartProcess(path, args, &os.ProcAttr{Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}, Env: os.Environ()})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %s: %v\n", Name, args[0], err)
		return 126
	}
	go forward(sigs, child)
	return reap(child.Pid)
}

// Pause is the argument of the pause role: a pod's infra container,
// which only holds the namespaces its pod's containers share.
const Pause = "--pause"

// pause waits for SIGTERM, SIGINT or SIGHUP and exits 0, reaping the
// orphans of a shared PID namespace meanwhile.
func pause() int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for {
			var ws unix.WaitStatus
			if _, err := unix.Wait4(-1, &ws, 0, nil); err != nil && err != unix.EINTR {
				// No children: wait for one to be adopted.
				time.Sleep(time.Second)
			}
		}
	}()
	<-sigs
	return 0
}

// forward passes every signal but SIGCHLD (the reaper's), SIGURG (the Go
// runtime's own) and SIGPIPE to the child. A SIGPIPE is raised by a write
// to a pipe with no reader: the container's processes get their own; one
// that reaches PID 1 comes from the OCI runtime, which forwards to the
// container the SIGPIPE of its own writes, and must not kill the command.
func forward(sigs <-chan os.Signal, child *os.Process) {
	for s := range sigs {
		if s == syscall.SIGCHLD || s == syscall.SIGURG || s == syscall.SIGPIPE {
			continue
		}
		_ = child.Signal(s)
	}
}

// reap waits for every process that ends, and returns the child's
// status once it has ended: its exit code, or 128+N for signal N.
func reap(child int) int {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 125
		}
		if pid != child {
			continue
		}
		if ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
