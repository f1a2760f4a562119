package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRunCommand(g *globalOptions) *cobra.Command {
	var f containerFlags
	var detach bool
	cmd := &cobra.Command{
		Use:   "run [flags] IMAGE [COMMAND [ARG...]]",
		Short: "Run a command in a new container",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			co, err := f.options(cmd, args)
			if err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			o := lifecycle.RunOptions{Create: co, Detach: detach}
			if !detach {
				o.Stdio = &lifecycle.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
			}
			rec, code, err := h.Run(cmd.Context(), o)
			if err == nil && detach {
				fmt.Fprintln(cmd.OutOrStdout(), rec.Config.ID)
			}
			if err != nil {
				return err
			}
			return container.ExitStatus(code)
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVarP(&detach, "detach", "d", false, "run the container in the background and print its ID")
	return cmd
}
