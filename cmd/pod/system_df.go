package main

import (
	"fmt"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
)

// dfRow is one line of `pod system df`; --format templates name its
// fields as Docker's do.
type dfRow struct {
	Type        string
	TotalCount  int
	Active      int
	Size        string
	Reclaimable string
}

var dfHeaders = map[string]string{
	".Type": "TYPE", ".TotalCount": "TOTAL", ".Active": "ACTIVE", ".Size": "SIZE", ".Reclaimable": "RECLAIMABLE",
}

func newSystemDfCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "df [flags]",
		Short: "Show the disk usage of images, containers and volumes, and what prune would free",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			usage, err := h.DiskUsage(cmd.Context())
			if err != nil {
				return err
			}
			rows := make([]any, 0, len(usage))
			for _, u := range usage {
				rows = append(rows, newDfRow(u))
			}
			return output{format: format, headers: dfHeaders,
				defaultTable: "{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}"}.write(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	return cmd
}

func newDfRow(u lifecycle.UsageRow) dfRow {
	pct := 0
	if u.Size > 0 {
		pct = int(u.Reclaimable * 100 / u.Size)
	}
	return dfRow{
		Type: u.Type, TotalCount: u.Total, Active: u.Active,
		Size:        units.HumanSize(float64(u.Size)),
		Reclaimable: fmt.Sprintf("%s (%d%%)", units.HumanSize(float64(u.Reclaimable)), pct),
	}
}
