package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/monitor"
)

func newAttachCommand(g *globalOptions) *cobra.Command {
	var detachKeys string
	var noStdin, sigProxy bool
	cmd := &cobra.Command{
		Use:   "attach [flags] CONTAINER",
		Short: "Attach the terminal to a running container's input and output",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			keys, err := monitor.ParseDetachKeys(detachKeys)
			if err != nil {
				return usageErrorf("--detach-keys: %v", err)
			}
			rec, err := g.loadContainer(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if !rec.Running() {
				return usageErrorf("you cannot attach to a stopped container %s: start it first", rec.Config.Name)
			}
			code, err := monitor.Attach(cmd.Context(), rec, monitor.AttachOptions{
				RuntimeDir: g.mode.RuntimeDir, Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
				NoStdin: noStdin, DetachKeys: keys, SigProxy: sigProxy,
			})
			if errors.Is(err, monitor.ErrDetached) {
				return nil
			}
			if err != nil {
				return err
			}
			return &containerExit{code: code}
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&detachKeys, "detach-keys", monitor.DefaultDetachKeys, "keys that detach from the container")
	fl.BoolVar(&noStdin, "no-stdin", false, "do not attach stdin")
	fl.BoolVar(&sigProxy, "sig-proxy", true, "pass the signals pod gets to the container")
	return cmd
}
