package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var all, ignore, shutdown bool
	var cidFiles, filters []string
	cmd := &cobra.Command{
		Use:   "stop [flags] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := cidTargets(args, cidFiles, ignore)
			if err != nil || (len(args) == 0 && len(cidFiles) > 0 && !all) {
				return err // or every --cidfile was missing: nothing to stop
			}
			keep, err := filteredTargets(filters, activeOnly)
			if err != nil {
				return err
			}
			h, targets, err := containerTargets(cmd, g, args, all || len(filters) > 0, keep)
			if err != nil {
				return err
			}
			o := lifecycle.StopOptions{Shutdown: shutdown}
			if cmd.Flags().Changed("time") {
				o.Timeout = &timeout
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				err := h.Stop(cmd.Context(), t, o)
				if ignore && errors.Is(err, container.ErrNoSuchContainer) {
					return "", nil
				}
				return t, err
			})
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	fl.BoolVarP(&all, "all", "a", false, "stop all running containers")
	fl.BoolVarP(&ignore, "ignore", "i", false, "ignore containers that do not exist")
	fl.StringArrayVar(&cidFiles, "cidfile", nil, "read the container's ID from this file")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "stop the running containers matching (restart-policy=always, label=...)")
	fl.BoolVar(&shutdown, "shutdown", false, "stop as the end of a session does: unless-stopped containers come back with pod start --all (pod-restart.service)")
	return cmd
}
