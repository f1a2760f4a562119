package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/monitor"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// pauseFunc is monitor.Pause or monitor.Unpause.
type pauseFunc func(context.Context, storage.Store, *runtime.Runtime, *container.Record) error

func newPauseCommand(g *globalOptions) *cobra.Command {
	return newFreezeCommand(g, "pause", "Pause all processes within one or more containers", monitor.Pause)
}

func newUnpauseCommand(g *globalOptions) *cobra.Command {
	return newFreezeCommand(g, "unpause", "Unpause all processes within one or more containers", monitor.Unpause)
}

// newFreezeCommand builds pause and unpause: each target is acted on,
// each failure reported, and the exit is non-zero if any failed.
func newFreezeCommand(g *globalOptions, verb, short string, do pauseFunc) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   verb + " [flags] CONTAINER [CONTAINER...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod %s needs at least one container (or --all)", verb)
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			rt, err := g.ociRuntime(cmd.Context())
			if err != nil {
				return err
			}
			targets := args
			if all {
				targets = nil
				recs, err := container.List(st)
				if err != nil {
					return err
				}
				for _, r := range recs {
					if r.Running() && (verb == "pause") == (r.State.Status == container.StatusRunning) {
						targets = append(targets, r.Config.Name)
					}
				}
			}
			var last error
			failed := 0
			for _, t := range targets {
				rec, err := g.loadContainer(cmd.Context(), t)
				if err == nil {
					err = do(cmd.Context(), st, rt, rec)
				}
				if err != nil {
					failed++
					last = err
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), t)
			}
			if failed == 1 && len(targets) == 1 {
				return last
			}
			if failed > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", last)
				return &exitError{code: 125, err: fmt.Errorf("%d of %d containers not %sd", failed, len(targets), verb)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, verb+" all running containers")
	return cmd
}
