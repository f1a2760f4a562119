package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newExecCommand(g *globalOptions) *cobra.Command {
	var (
		interactive, tty, detach, privileged bool
		env, envFile                         []string
		user, workdir, detachKeys            string
		preserveFDs                          uint
	)
	cmd := &cobra.Command{
		Use:   "exec [flags] CONTAINER COMMAND [ARG...]",
		Short: "Run a command in a running container",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			envs, err := container.ParseEnv(env, envFile, os.LookupEnv)
			if err != nil {
				return usageErrorf("%v", err)
			}
			if workdir != "" {
				if err := container.CheckWorkdir(workdir); err != nil {
					return usageErrorf("%v", err)
				}
			}
			for fd := 3; fd < 3+int(preserveFDs); fd++ {
				if fd >= maxPreservedFD || !inheritedFDs[fd] {
					return usageErrorf("--preserve-fds %d: descriptor %d was not given to pod (at most %d can be passed)", preserveFDs, fd, maxPreservedFD-3)
				}
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			code, err := h.Exec(cmd.Context(), args[0], lifecycle.ExecOptions{
				Cmd: args[1:], Env: envs, User: user, WorkingDir: workdir,
				Interactive: interactive, Tty: tty, Detach: detach, Privileged: privileged,
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, PreserveFDs: int(preserveFDs),
			})
			if err != nil {
				return err
			}
			return container.ExitStatus(code)
		},
	}
	fl := cmd.Flags()
	fl.SetInterspersed(false)
	fl.BoolVarP(&interactive, "interactive", "i", false, "keep STDIN open")
	fl.BoolVarP(&tty, "tty", "t", false, "allocate a pseudo-TTY")
	fl.BoolVarP(&detach, "detach", "d", false, "run the command in the background")
	fl.BoolVar(&privileged, "privileged", false, "give the command every capability")
	fl.StringArrayVarP(&env, "env", "e", nil, "set environment variables (KEY=VALUE, or KEY to pass the host's)")
	fl.StringArrayVar(&envFile, "env-file", nil, "read environment variables from a file")
	fl.StringVarP(&user, "user", "u", "", "USER[:GROUP] to run as, by name or number")
	fl.StringVarP(&workdir, "workdir", "w", "", "working directory inside the container (absolute)")
	fl.StringVar(&detachKeys, "detach-keys", "", "accepted for compatibility; an exec session cannot be detached from")
	fl.UintVar(&preserveFDs, "preserve-fds", 0, "pass descriptors 3 to 3+N-1 on to the command")
	return cmd
}
