package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newWaitCommand(g *globalOptions) *cobra.Command {
	var condition, interval string
	var latest bool
	cmd := &cobra.Command{
		Use:   "wait [flags] CONTAINER [CONTAINER...]",
		Short: "Block until one or more containers stop, then print their exit codes",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case latest && len(args) > 0:
				return usageErrorf("--latest and containers cannot be used together")
			case !latest && len(args) == 0:
				return usageErrorf("pod wait needs at least one container (or --latest)")
			}
			cond, err := container.ParseWaitCondition(condition)
			if err != nil {
				return usageErrorf("--condition: %v", err)
			}
			// pod waits on the monitor's lock, not by polling: a valid
			// --interval is accepted and has nothing to set.
			if _, err := parseInterval(interval); err != nil {
				return usageErrorf("--interval: %v", err)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if latest {
				id, err := latestContainer(cmd.Context(), h)
				if err != nil {
					return err
				}
				args = []string{id}
			}
			return eachTarget(cmd, args, func(t string) (string, error) {
				code, err := h.Wait(cmd.Context(), t, cond)
				return strconv.Itoa(code), err
			})
		},
	}
	cmd.Flags().StringVar(&condition, "condition", "not-running", "wait for: not-running, next-exit or removed")
	cmd.Flags().StringVarP(&interval, "interval", "i", "250ms", "accepted for Podman's scripts: pod is woken when the container stops, it does not poll")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "wait for the container created last")
	return cmd
}

// parseInterval reads Podman's --interval: a duration, or a number of
// milliseconds.
func parseInterval(s string) (time.Duration, error) {
	if ms, err := strconv.Atoi(s); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (250ms, 1s) or a number of milliseconds", s)
	}
	return d, nil
}
