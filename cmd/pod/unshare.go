package main

import (
	"fmt"
	"os"
	"os/exec"
	goruntime "runtime"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/userns"
	"github.com/spf13/cobra"
)

func newUnshareCommand(g *globalOptions) *cobra.Command {
	var rootlessNetns bool
	cmd := &cobra.Command{
		Use:   "unshare [COMMAND [ARG...]]",
		Short: "Run a command inside pod's user namespace (default: $SHELL)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if !g.mode.Rootless {
				return usageErrorf("pod unshare is for rootless users: as root there is no user namespace to enter")
			}
			if len(args) == 0 {
				sh := os.Getenv("SHELL")
				if sh == "" {
					sh = "/bin/sh"
				}
				args = []string{sh}
			}
			p, err := exec.LookPath(args[0])
			if err != nil {
				return container.WithExitCode(127, fmt.Errorf("%s: command not found in $PATH", args[0]))
			}
			if rootlessNetns {
				if err := g.enterRootlessNetns(); err != nil {
					return err
				}
			}
			graph, run := g.mode.StoragePaths()
			env := append(userns.ExecInsideEnv(os.Environ()), "POD_GRAPHROOT="+firstNonEmpty(g.root, graph), "POD_RUNROOT="+firstNonEmpty(g.runroot, run))
			if err := syscall.Exec(p, args, env); err != nil {
				return container.WithExitCode(126, fmt.Errorf("running %s: %w", p, err))
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&rootlessNetns, "rootless-netns", false, "also enter the rootless network namespace of user-defined networks (made if missing)")
	return cmd
}

// enterRootlessNetns moves this thread, which then execs, into the
// rootless network namespace, making it first if needed.
func (g *globalOptions) enterRootlessNetns() error {
	h, err := g.host()
	if err != nil {
		return err
	}
	rn := h.RootlessNet()
	if err := rn.Ensure(); err != nil {
		return err
	}
	fd, err := unix.Open(rn.NSPath(), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("the rootless network namespace: %w", err)
	}
	defer unix.Close(fd)
	goruntime.LockOSThread() // kept: the exec that follows runs on this thread
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("entering the rootless network namespace: %w", err)
	}
	return nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
