package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newStopCommand(g *globalOptions) *cobra.Command {
	var timeout int
	var all bool
	cmd := &cobra.Command{
		Use:   "stop [flags] CONTAINER [CONTAINER...]",
		Short: "Stop one or more running containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod stop needs at least one container (or --all)")
			}
			var t *int
			if cmd.Flags().Changed("time") {
				t = &timeout
			}
			if all {
				names, err := runningNames(cmd, g)
				if err != nil {
					return err
				}
				args = names
			}
			return eachContainer(cmd, g, args, func(r *container.Record) error {
				return r.Stop(cmd.Context(), t)
			})
		},
	}
	cmd.Flags().IntVarP(&timeout, "time", "t", container.DefaultStopTimeout, "seconds to wait before killing the container")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "stop all running containers")
	return cmd
}

// runningNames lists the containers a monitor still manages.
func runningNames(cmd *cobra.Command, g *globalOptions) ([]string, error) {
	recs, err := g.listContainers(cmd.Context())
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range recs {
		if r.Active() {
			names = append(names, r.Config.Name)
		}
	}
	return names, nil
}
