package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newWaitCommand(g *globalOptions) *cobra.Command {
	var condition string
	cmd := &cobra.Command{
		Use:   "wait [flags] CONTAINER [CONTAINER...]",
		Short: "Block until one or more containers stop, then print their exit codes",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cond, err := container.ParseWaitCondition(condition)
			if err != nil {
				return usageErrorf("--condition: %v", err)
			}
			failed := 0
			for _, n := range args {
				r, err := g.loadContainer(cmd.Context(), n)
				var code int
				if err == nil {
					code, err = r.Wait(cmd.Context(), cond)
				}
				if err != nil {
					if len(args) == 1 {
						return err
					}
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
					continue
				}
				fmt.Fprintln(cmd.OutOrStdout(), code)
			}
			if failed > 0 {
				return &exitError{code: 125, err: fmt.Errorf("%d of %d containers failed", failed, len(args))}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&condition, "condition", "not-running", "wait for: not-running, next-exit or removed")
	return cmd
}
