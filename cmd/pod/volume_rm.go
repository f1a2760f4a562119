package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/volumes"
)

func newVolumeRmCommand(g *globalOptions) *cobra.Command {
	var force, all bool
	var stopTime int
	cmd := &cobra.Command{
		Use:     "rm [flags] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove volumes",
		Long: "Remove volumes. A volume a container uses is refused unless -f, which removes\n" +
			"its stopped containers first; a volume a running container uses is never removed.",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := volumeTargets(cmd, g, args, all)
			if err != nil {
				return err
			}
			return eachTarget(cmd, targets, func(name string) (string, error) {
				err := h.RemoveVolume(cmd.Context(), name, lifecycle.RemoveVolumeOptions{Force: force})
				if force && errors.Is(err, volumes.ErrNoSuchVolume) {
					return "", nil
				}
				return name, err
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove the stopped containers using the volumes first; ignore missing volumes")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all volumes")
	// -f never stops a running container here (its volume is refused,
	// naming it): there is no stop for --time to wait on.
	cmd.Flags().IntVarP(&stopTime, "time", "t", 0, "accepted for Podman's scripts: pod refuses a volume a running container uses, and stops nothing")
	return cmd
}

// volumeTargets checks the volume names a command takes, or lists every
// volume with --all.
func volumeTargets(cmd *cobra.Command, g *globalOptions, args []string, all bool) (*lifecycle.Host, []string, error) {
	if len(args) == 0 && !all {
		return nil, nil, usageErrorf("pod volume %s needs at least one volume (or --all)", cmd.Name())
	}
	for _, a := range args {
		if err := volumes.CheckName(a); err != nil {
			return nil, nil, usageErrorf("volume name %v", err)
		}
	}
	h, err := g.host()
	if err != nil || !all {
		return h, args, err
	}
	vols, err := volumes.New(h.Store.GraphRoot()).List()
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, 0, len(vols))
	for _, v := range vols {
		names = append(names, v.Name)
	}
	return h, names, nil
}
