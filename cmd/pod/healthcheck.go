package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/image"
	"github.com/pod-project/pod/runtime"
)

// newHealthcheckCommand is `pod healthcheck`, Podman's group for running a
// container's health check by hand.
func newHealthcheckCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Run container health checks",
	}
	cmd.AddCommand(newHealthcheckRunCommand(g))
	return cmd
}

func newHealthcheckRunCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "run CONTAINER",
		Short: "Run a container's health check once: exit 0 when healthy, 1 when not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			rec, err := g.loadContainer(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			var imgCfg *container.ImageConfig
			if img, err := image.Lookup(st, rec.Config.ImageID); err == nil {
				imgCfg = &img.Config.Config
			}
			hc := container.EffectiveHealth(&rec.Config, imgCfg)
			if hc == nil {
				return fmt.Errorf("container %s has no health check (give one with --health-cmd): %w", rec.Config.Name, container.ErrNoHealthcheck)
			}
			if !rec.Running() {
				return fmt.Errorf("container %s: %w", rec.Config.Name, container.ErrNotRunning)
			}
			rt, err := g.ociRuntime(cmd.Context())
			if err != nil {
				return err
			}
			state, err := container.NewHealthChecker(rec, *hc, runtime.ExecProbe(rt, rec.Config.ID)).RunOnce(cmd.Context())
			if err != nil {
				return err
			}
			if state.Status == container.HealthHealthy {
				return nil
			}
			fmt.Fprintln(cmd.OutOrStdout(), state.Status)
			return &containerExit{code: 1}
		},
	}
}
