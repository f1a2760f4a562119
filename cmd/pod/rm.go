package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, all, vols, ignore bool
	var timeout int
	var cidFiles []string
	cmd := &cobra.Command{
		Use:     "rm [flags] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			args, err := cidTargets(args, cidFiles, ignore || force)
			if err != nil || (len(args) == 0 && len(cidFiles) > 0 && !all) {
				return err // or every --cidfile was missing: nothing to remove
			}
			h, targets, err := containerTargets(cmd, g, args, all, anyContainer)
			if err != nil {
				return err
			}
			// As Podman: with -f a container that is not there is no error.
			o := lifecycle.RemoveOptions{Force: force, Volumes: vols, Ignore: ignore || force}
			if cmd.Flags().Changed("time") {
				o.Time = &timeout
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				id, err := h.Remove(cmd.Context(), t, o)
				if all || id == "" {
					t = id
				}
				return t, rmExitCode(err)
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill and remove running containers")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all containers")
	cmd.Flags().BoolVarP(&vols, "volumes", "v", false, "remove anonymous volumes of the container")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore containers that do not exist")
	cmd.Flags().StringArrayVar(&cidFiles, "cidfile", nil, "read the container's ID from this file")
	cmd.Flags().IntVarP(&timeout, "time", "t", 0, "with --force, seconds to wait for the stop signal before killing (default: kill at once)")
	return cmd
}

// rmExitCode gives rm's failures Podman's and Docker's exit codes: 1 for a
// container that does not exist, 2 for one that runs (without -f), 125 for
// anything else; several targets end with the worst.
func rmExitCode(err error) error {
	switch {
	case errors.Is(err, container.ErrNoSuchContainer):
		return container.WithExitCode(1, err)
	case errors.Is(err, container.ErrRunning):
		return container.WithExitCode(2, err)
	}
	return err
}
