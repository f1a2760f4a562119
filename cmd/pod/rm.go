package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, vols, ignore, depend bool
	var timeout int
	var tf targetFlags
	cmd := &cobra.Command{
		Use:     "rm [flags] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			// --all leaves pods' infra containers to pod pods rm.
			h, targets, err := tf.resolve(cmd, g, args, notInfra, ignore || force)
			if err != nil {
				return rmExitCode(err)
			}
			// As Podman: with -f a container that is not there is no error.
			o := lifecycle.RemoveOptions{Force: force, Volumes: vols, Ignore: ignore || force, Depend: depend || tf.all}
			if cmd.Flags().Changed("time") {
				o.Time = &timeout
			}
			return eachTargetAtOnce(cmd, targets, func(t string) (string, error) {
				id, err := h.Remove(cmd.Context(), t, o)
				if tf.all || len(tf.filters) > 0 || tf.latest || id == "" {
					t = id
				}
				return t, rmExitCode(err)
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill and remove running containers")
	tf.register(cmd.Flags(), "remove all containers", "")
	cmd.Flags().BoolVarP(&vols, "volumes", "v", false, "remove anonymous volumes of the container")
	cmd.Flags().BoolVarP(&ignore, "ignore", "i", false, "ignore containers that do not exist")
	cmd.Flags().BoolVar(&depend, "depend", false, "also remove the containers that require the named ones (--requires), first")
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
