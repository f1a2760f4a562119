package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var all, ignore bool
	var cidFiles []string
	cmd := &cobra.Command{
		Use:   "stop [flags] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := cidTargets(args, cidFiles, ignore)
			if err != nil || (len(args) == 0 && len(cidFiles) > 0 && !all) {
				return err // or every --cidfile was missing: nothing to stop
			}
			h, targets, err := containerTargets(cmd, g, args, all, activeOnly)
			if err != nil {
				return err
			}
			o := lifecycle.StopOptions{}
			if cmd.Flags().Changed("time") {
				o.Timeout = &timeout
			}
			return eachTarget(cmd, targets, func(t string) (string, error) {
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
	return cmd
}
