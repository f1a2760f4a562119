package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/pod-project/pod/container"
	"github.com/spf13/cobra"
)

func newUnshareCommand(g *globalOptions) *cobra.Command {
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
			graph, run := g.mode.StoragePaths()
			env := append(os.Environ(), "POD_GRAPHROOT="+firstNonEmpty(g.root, graph), "POD_RUNROOT="+firstNonEmpty(g.runroot, run))
			if err := syscall.Exec(p, args, env); err != nil {
				return container.WithExitCode(126, fmt.Errorf("running %s: %w", p, err))
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	return cmd
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
