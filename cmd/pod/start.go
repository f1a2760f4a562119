package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	var f startFlags
	cmd := &cobra.Command{
		Use:   "start [flags] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(args); err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			if f.latest {
				latest, err := latestContainer(cmd.Context(), h)
				if err != nil {
					return err
				}
				args = []string{latest}
			}
			if f.attached() {
				stdio, done, err := userStdio(f.interactive)
				if err != nil {
					return err
				}
				defer done()
				stdio.NoSigProxy = !f.sigProxy
				stdio.DetachKeys, _ = lifecycle.ParseDetachKeys(f.detachKeys)
				code, err := h.Start(cmd.Context(), args[0], lifecycle.StartOptions{Attach: true, Stdio: stdio})
				if errors.Is(err, lifecycle.ErrDetached) {
					return nil
				}
				if err != nil {
					return err
				}
				return container.ExitStatus(code)
			}
			if f.all {
				if args, err = startAllTargets(cmd, h, f.filters); err != nil {
					return err
				}
			}
			return eachTarget(cmd, args, func(t string) (string, error) {
				_, err := h.Start(cmd.Context(), t, lifecycle.StartOptions{})
				return t, err
			})
		},
	}
	f.register(cmd)
	return cmd
}

// startAllTargets lists the containers pod start --all starts: those not
// running that match the filters; with restart-policy=unless-stopped,
// those the user stopped are skipped (but not those pod stop --shutdown
// stopped at the end of a session).
func startAllTargets(cmd *cobra.Command, h *lifecycle.Host, filters []string) ([]string, error) {
	match, err := container.ParseFilters(filters)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	recs, err := h.List(cmd.Context(), lifecycle.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range recs {
		if r.Active() || !match.Match(r) {
			continue
		}
		if r.Config.RestartPolicy == "unless-stopped" && r.State.StoppedByUser && !r.State.StoppedAtShutdown {
			continue
		}
		names = append(names, r.Config.Name)
	}
	return names, nil
}
