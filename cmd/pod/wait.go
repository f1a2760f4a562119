package main

import (
	"strconv"

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
			h, err := g.host()
			if err != nil {
				return err
			}
			return eachTarget(cmd, args, func(t string) (string, error) {
				code, err := h.Wait(cmd.Context(), t, cond)
				return strconv.Itoa(code), err
			})
		},
	}
	cmd.Flags().StringVar(&condition, "condition", "not-running", "wait for: not-running, next-exit or removed")
	return cmd
}
