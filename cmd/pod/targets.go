package main

import (
	"errors"
	"os"
	"strings"

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

// filteredTargets narrows keep to the containers matching --filter.
func filteredTargets(filters []string, keep targetFilter) (targetFilter, error) {
	if len(filters) == 0 {
		return keep, nil
	}
	match, err := container.ParseFilters(filters)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return func(r *container.Record) bool { return keep(r) && match.Match(r) }, nil
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

// cidTargets adds to args the container IDs read from the --cidfile
// files; a file that does not exist is passed over with ignore.
func cidTargets(args, files []string, ignore bool) ([]string, error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) && ignore {
			continue
		}
		if err != nil {
			return nil, usageErrorf("--cidfile: %v", err)
		}
		id := strings.TrimSpace(string(b))
		if id == "" {
			return nil, usageErrorf("--cidfile %s holds no container ID", f)
		}
		args = append(args, id)
	}
	return args, nil
}
