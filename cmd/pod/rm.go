package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newRmCommand(g *globalOptions) *cobra.Command {
	var force, all, vols bool
	cmd := &cobra.Command{
		Use:     "rm [flags] CONTAINER [CONTAINER...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod rm needs at least one container (or --all)")
			}
			st, err := g.store()
			if err != nil {
				return err
			}
			targets := args
			if all {
				recs, err := g.listContainers(cmd.Context())
				if err != nil {
					return err
				}
				targets = nil
				for _, r := range recs {
					targets = append(targets, r.Config.ID)
				}
			}
			opts := container.DeleteOptions{Force: force}
			if force {
				if rt, err := g.ociRuntime(cmd.Context()); err == nil {
					opts.Runtime = rt
				}
			}
			failed := 0
			for _, t := range targets {
				id, err := deleteContainer(cmd.Context(), st, t, opts, vols)
				if err != nil {
					if len(targets) == 1 {
						return err
					}
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
					continue
				}
				if all {
					t = id
				}
				fmt.Fprintln(cmd.OutOrStdout(), t)
			}
			if failed > 0 {
				return &exitError{code: 125, err: fmt.Errorf("%d of %d containers not removed", failed, len(targets))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "kill and remove running containers")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "remove all containers")
	cmd.Flags().BoolVarP(&vols, "volumes", "v", false, "remove anonymous volumes of the container")
	return cmd
}
