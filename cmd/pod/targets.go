package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

// A targetFilter says which containers --all means to a command.
type targetFilter func(*container.Record) bool

func anyContainer(*container.Record) bool { return true }
func activeOnly(r *container.Record) bool { return r.Active() }
func runningOnly(r *container.Record) bool {
	return r.Running() && r.State.Status == container.StatusRunning
}
func pausedOnly(r *container.Record) bool {
	return r.Running() && r.State.Status == container.StatusPaused
}

// containerTargets is the lifecycle and the containers a multi-target
// command acts on: args, or with --all the names of those keep selects.
func containerTargets(cmd *cobra.Command, g *globalOptions, args []string, all bool, keep targetFilter) (*lifecycle.Host, []string, error) {
	if len(args) == 0 && !all {
		return nil, nil, usageErrorf("pod %s needs at least one container (or --all)", cmd.Name())
	}
	h, err := g.host()
	if err != nil || !all {
		return h, args, err
	}
	recs, err := h.List(cmd.Context(), lifecycle.ListOptions{})
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, r := range recs {
		if keep(r) {
			names = append(names, r.Config.Name)
		}
	}
	return h, names, nil
}
