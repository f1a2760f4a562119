package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newStartCommand(g *globalOptions) *cobra.Command {
	var attach, interactive, all bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "start [flags] CONTAINER [CONTAINER...]",
		Short: "Start one or more stopped containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod start needs at least one container (or --all)")
			}
			if (attach || interactive) && (len(args) != 1 || all) {
				return usageErrorf("you cannot start and attach several containers at once")
			}
			if len(filters) > 0 && !all {
				return usageErrorf("--filter needs --all")
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			if attach || interactive {
				rec, err := g.loadContainer(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if rec.Active() {
					return usageErrorf("container %s is already running: use pod attach", rec.Config.Name)
				}
				img, err := imageConfigOf(st, rec)
				if err != nil {
					return err
				}
				stdin := os.Stdin
				if !interactive {
					if stdin, err = os.Open(os.DevNull); err != nil {
						return err
					}
					defer stdin.Close()
				}
				return runAttached(cmd, g, st, rec, img, stdin)
			}
			if all {
				if args, err = startAllTargets(cmd, g, filters); err != nil {
					return err
				}
			}
			return eachContainer(cmd, g, args, func(r *container.Record) error {
				if r.Active() {
					return nil
				}
				img, err := imageConfigOf(st, r)
				if err != nil {
					return err
				}
				return startDetached(cmd, g, st, r, img, false)
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

// startAllTargets lists the containers pod start --all starts: those not
// running that match the filters; with restart-policy=unless-stopped,
// those the user stopped are skipped.
func startAllTargets(cmd *cobra.Command, g *globalOptions, filters []string) ([]string, error) {
	match, err := container.ParseFilters(filters)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	recs, err := g.listContainers(cmd.Context())
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
