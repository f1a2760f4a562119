package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/systemd"
)

// autoUpdateRow is one line of pod auto-update, with Podman's columns.
type autoUpdateRow struct {
	Unit, Container, ContainerID, ContainerName, Image, Policy, Updated string
}

var autoUpdateHeaders = map[string]string{
	".Unit": "UNIT", ".Container": "CONTAINER", ".ContainerID": "CONTAINER ID", ".ContainerName": "NAME",
	".Image": "IMAGE", ".Policy": "POLICY", ".Updated": "UPDATED",
}

func newAutoUpdateCommand(g *globalOptions) *cobra.Command {
	var rf registryFlags
	var dryRun, rollback bool
	var format string
	cmd := &cobra.Command{
		Use:   "auto-update [flags]",
		Short: "Update containers to newer images and restart their systemd units",
		Long: "Update the running containers labelled io.containers.autoupdate=registry (the registry serves\n" +
			"another image for the name, which is pulled) or =local (the name now names another local\n" +
			"image), and restart the systemd unit that runs each (its PODMAN_SYSTEMD_UNIT label, set from\n" +
			"the unit's environment at create). A unit that fails to come back is rolled back to the\n" +
			"previous image. pod-auto-update.timer runs this daily.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			user := g.mode.Rootless
			reports, err := h.AutoUpdate(cmd.Context(), lifecycle.AutoUpdateOptions{
				DryRun: dryRun, Rollback: rollback, Registry: rf.options(cmd), Progress: cmd.ErrOrStderr(),
				Restart: func(ctx context.Context, unit string) error { return systemd.RestartUnit(ctx, unit, user) },
			})
			rows := make([]any, 0, len(reports))
			for _, r := range reports {
				rows = append(rows, autoUpdateRow{
					Unit: r.Unit, Container: r.ContainerID[:12] + " (" + r.ContainerName + ")", ContainerID: r.ContainerID,
					ContainerName: r.ContainerName, Image: r.Image, Policy: r.Policy, Updated: r.Updated,
				})
			}
			if werr := (output{format: format, headers: autoUpdateHeaders, defaultTable: `{{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}`}).write(cmd.OutOrStdout(), rows); werr != nil {
				return werr
			}
			return err
		},
	}
	rf.register(cmd, false, false)
	fl := cmd.Flags()
	fl.BoolVar(&dryRun, "dry-run", false, "only check: containers that would be updated are pending")
	fl.BoolVar(&rollback, "rollback", true, "when a unit fails to restart, go back to the previous image")
	fl.StringVar(&format, "format", "", "table (default), json, or a Go template per row (.Unit .Container .Image .Policy .Updated)")
	return cmd
}
