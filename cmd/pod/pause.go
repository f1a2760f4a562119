package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
)

func newPauseCommand(g *globalOptions) *cobra.Command {
	return newFreezeCommand(g, "pause", "Pause all processes within one or more containers", runningOnly, (*lifecycle.Host).Pause)
}

func newUnpauseCommand(g *globalOptions) *cobra.Command {
	return newFreezeCommand(g, "unpause", "Unpause all processes within one or more containers", pausedOnly, (*lifecycle.Host).Unpause)
}

// newFreezeCommand builds pause and unpause.
func newFreezeCommand(g *globalOptions, verb, short string, keep targetFilter, do func(*lifecycle.Host, context.Context, string) error) *cobra.Command {
	var tf targetFlags
	cmd := &cobra.Command{
		Use:   verb + " [flags] CONTAINER [CONTAINER...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := tf.resolve(cmd, g, args, keep, false)
			if err != nil {
				return err
			}
			return eachTarget(cmd, targets, func(t string) (string, error) {
				return t, do(h, cmd.Context(), t)
			})
		},
	}
	what := "running"
	if verb == "unpause" {
		what = "paused"
	}
	tf.register(cmd.Flags(), verb+" all "+what+" containers", "f")
	return cmd
}
