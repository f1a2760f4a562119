package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

func newVolumeRmCommand(g *globalOptions) *cobra.Command {
	var force, all bool
	cmd := &cobra.Command{
		Use:     "rm [flags] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove volumes",
		Long: "Remove volumes. A volume a container uses is refused unless -f, which removes\n" +
			"its stopped containers first; a volume a running container uses is never removed.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod volume rm needs at least one volume (or --all)")
			}
			for _, a := range args {
				if err := volumes.CheckName(a); err != nil {
					return usageErrorf("volume name %v", err)
				}
			}
			st, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			targets := args
			if all {
				vols, err := vs.List()
				if err != nil {
					return err
				}
				targets = nil
				for _, v := range vols {
					targets = append(targets, v.Name)
				}
			}
			failed := 0
			for _, name := range targets {
				err := volumes.Remove(cmd.Context(), st, vs, name, volumes.RemoveOptions{Force: force})
				if err != nil && !(force && errors.Is(err, volumes.ErrNoSuchVolume)) {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
					continue
				}
				if err == nil {
					fmt.Fprintln(cmd.OutOrStdout(), name)
				}
			}
			if failed > 0 {
				return &exitError{code: 125, err: fmt.Errorf("%d of %d volumes not removed", failed, len(targets))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove the stopped containers using the volumes first; ignore missing volumes")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all volumes")
	return cmd
}
