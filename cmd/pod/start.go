package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	var attach, interactive, all bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "start [flags] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkStartArgs(args, all, attach || interactive, filters); err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if attach || interactive {
				stdio, done, err := userStdio(interactive)
				if err != nil {
					return err
				}
				defer done()
				code, err := h.Start(cmd.Context(), args[0], lifecycle.StartOptions{Attach: true, Stdio: stdio})
				if err != nil {
					return err
				}
				return container.ExitStatus(code)
			}
			if all {
				if args, err = startAllTargets(cmd, h, filters); err != nil {
					return err
				}
			}
			return eachTarget(cmd, args, func(t string) (string, error) {
				_, err := h.Start(cmd.Context(), t, lifecycle.StartOptions{})
				return t, err
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&attach, "attach", "a", false, "attach to the container's output and wait for it")
	fl.BoolVarP(&interactive, "interactive", "i", false, "attach the container's stdin")
	fl.BoolVar(&all, "all", false, "start every container that is not running (see --filter)")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "with --all: only containers matching (restart-policy=always, status=exited...)")
	return cmd
}

func checkStartArgs(args []string, all, attach bool, filters []string) error {
	switch {
	case len(args) == 0 && !all:
		return usageErrorf("pod start needs at least one container (or --all)")
	case attach && (len(args) != 1 || all):
		return usageErrorf("you cannot start and attach several containers at once")
	case len(filters) > 0 && !all:
		return usageErrorf("--filter needs --all")
	}
	return nil
}

// startAllTargets lists the containers pod start --all starts: those not
// running that match the filters; with restart-policy=unless-stopped,
// those the user stopped are skipped.
func startAllTargets(cmd *cobra.Command, h *lifecycle.Host, filters []string) ([]string, error) {
	match, err := container.ParseFilters(filters)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	recs, err := h.List(cmd.Context())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range recs {
		if r.Active() || !match.Match(r) {
			continue
		}
		if r.Config.RestartPolicy == "unless-stopped" && r.State.StoppedByUser {
			continue
		}
		names = append(names, r.Config.Name)
	}
	return names, nil
}
