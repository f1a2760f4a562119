package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newAttachCommand(g *globalOptions) *cobra.Command {
	var detachKeys string
	var noStdin, sigProxy bool
	cmd := &cobra.Command{
		Use:   "attach [flags] CONTAINER",
		Short: "Attach the terminal to a running container's input and output",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := lifecycle.ParseDetachKeys(detachKeys)
			if err != nil {
				return usageErrorf("--detach-keys: %v", err)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			code, err := h.Attach(cmd.Context(), args[0], lifecycle.AttachOptions{
				Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
				NoStdin: noStdin, DetachKeys: keys, SigProxy: sigProxy,
			})
			if errors.Is(err, lifecycle.ErrDetached) {
				return nil
			}
			if err != nil {
				return err
			}
			return container.ExitStatus(code)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&detachKeys, "detach-keys", lifecycle.DefaultDetachKeys, "keys that detach from the container")
	fl.BoolVar(&noStdin, "no-stdin", false, "do not attach stdin")
	fl.BoolVar(&sigProxy, "sig-proxy", true, "pass the signals pod gets to the container")
	return cmd
}
