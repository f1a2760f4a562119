package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

// A targetFilter says which containers --all means to a command.
type targetFilter func(*container.Record) bool

func anyContainer(*container.Record) bool { return true }
func notInfra(r *container.Record) bool   { return !r.Config.Infra }
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

// targetFlags are the flags by which Podman's multi-target commands name
// containers besides their arguments: --all, --latest, --filter and
// --cidfile.
type targetFlags struct {
	all, latest       bool
	filters, cidFiles []string
}

// register adds the flags to fl: allUsage says what --all selects, and
// filterShort is --filter's shorthand ("" where -f means --force).
func (tf *targetFlags) register(fl *pflag.FlagSet, allUsage, filterShort string) {
	fl.BoolVarP(&tf.all, "all", "a", false, allUsage)
	fl.BoolVarP(&tf.latest, "latest", "l", false, "act on the container created last")
	fl.StringArrayVar(&tf.cidFiles, "cidfile", nil, "read the container's ID from this file")
	fl.StringArrayVarP(&tf.filters, "filter", filterShort, nil, "act on the containers matching (name=, id=, label=, status=, restart-policy=...)")
}

// resolve returns the lifecycle and the containers the command acts on:
// its arguments, the IDs in the --cidfile files (a missing file passed
// over with ignore), the container created last with --latest, and with
// --all or --filter those keep selects that match the filters. An empty
// list with no error means there is nothing to do (every --cidfile was
// missing, or nothing matched).
func (tf *targetFlags) resolve(cmd *cobra.Command, g *globalOptions, args []string, keep targetFilter, ignore bool) (*lifecycle.Host, []string, error) {
	// Podman's wording, which scripts may match.
	switch {
	case tf.latest && (len(args) > 0 || tf.all):
		return nil, nil, usageErrorf("--latest and containers cannot be used together")
	case tf.all && len(args) > 0:
		return nil, nil, usageErrorf("no arguments are needed with --all")
	case len(tf.filters) > 0 && len(args) > 0:
		return nil, nil, usageErrorf("--filter takes no arguments")
	}
	args, err := cidTargets(args, tf.cidFiles, ignore)
	if err != nil || (len(args) == 0 && len(tf.cidFiles) > 0 && !tf.all) {
		return nil, nil, err
	}
	if tf.latest {
		h, err := g.host()
		if err != nil {
			return nil, nil, err
		}
		latest, err := latestContainer(cmd.Context(), h)
		if err != nil {
			return nil, nil, err
		}
		return h, append(args, latest), nil
	}
	keep, err = filteredTargets(tf.filters, keep)
	if err != nil {
		return nil, nil, err
	}
	return containerTargets(cmd, g, args, tf.all || len(tf.filters) > 0, keep)
}

// latestContainer is the ID of the container created last (--latest).
func latestContainer(ctx context.Context, h *lifecycle.Host) (string, error) {
	recs, err := h.List(ctx, lifecycle.ListOptions{})
	if err != nil {
		return "", err
	}
	if len(recs) == 0 {
		return "", fmt.Errorf("%w: --latest names the container created last, and there is none", container.ErrNoSuchContainer)
	}
	return recs[0].Config.ID, nil
}

// latestTakers are the single-container commands that take --latest (-l)
// in place of their container argument, as Podman's do; true where more
// arguments follow the container's (exec's command, top's ps options,
// port's port).
var latestTakers = map[string]bool{"exec": true, "top": true, "port": true,
	"logs": false, "inspect": false, "attach": false, "stats": false, "diff": false, "mount": false, "umount": false}

// addLatest gives the commands of latestTakers their --latest, wherever
// they sit in the tree (pod exec and pod container exec alike), but not
// the image, volume and network commands of the same names (but pod
// network reload).
func addLatest(c *cobra.Command, g *globalOptions) {
	for _, sub := range c.Commands() {
		addLatest(sub, g)
	}
	more, ok := latestTakers[c.Name()]
	parent := "" // the root (pod, podman, docker: the drop-in names), or none
	if c.HasParent() && c.Parent().HasParent() {
		parent = c.Parent().Name()
	}
	networkReload := c.Name() == "reload" && parent == "network"
	if networkReload {
		ok, more = true, false
	}
	if !ok || c.RunE == nil || (parent != "" && parent != "container" && !networkReload) {
		return
	}
	var latest bool
	c.Flags().BoolVarP(&latest, "latest", "l", false, "act on the container created last")
	check, run := c.Args, c.RunE
	c.Args = func(cmd *cobra.Command, args []string) error {
		if latest {
			if !more && len(args) > 0 {
				return usageErrorf("--latest and containers cannot be used together")
			}
			args = append([]string{"latest"}, args...)
		}
		if check == nil {
			return nil
		}
		return check(cmd, args)
	}
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if latest {
			h, err := g.host()
			if err != nil {
				return err
			}
			id, err := latestContainer(cmd.Context(), h)
			if err != nil {
				return err
			}
			args = append([]string{id}, args...)
		}
		return run(cmd, args)
	}
}
