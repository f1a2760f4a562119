package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
)

var checkHeaders = map[string]string{".Kind": "KIND", ".ID": "ID", ".Problem": "PROBLEM", ".Action": "ACTION"}

func newSystemCheckCommand(g *globalOptions) *cobra.Command {
	var o lifecycle.CheckOptions
	var format string
	cmd := &cobra.Command{
		Use:   "check [flags]",
		Short: "Check the store, records, mounts and processes for inconsistencies (exit 1 when some remain)",
		Long: "Check images, layers, containers and their records, volumes, temporary files, mounts in pod's\n" +
			"mount namespace and the processes pod recorded, and list every inconsistency. With --repair, fix\n" +
			"what can be fixed without removing what you did not ask to remove.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			findings, err := h.Check(cmd.Context(), o)
			if perr := printFindings(cmd, findings, format); perr != nil || err != nil {
				return errors.Join(err, perr)
			}
			return checkStatus(findings)
		},
	}
	cmd.Flags().BoolVar(&o.Repair, "repair", false, "fix what can be fixed")
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	return cmd
}

func printFindings(cmd *cobra.Command, findings []lifecycle.Finding, format string) error {
	if len(findings) == 0 && format == "" {
		_, err := fmt.Fprintln(cmd.OutOrStdout(), "No problems found")
		return err
	}
	rows := make([]any, 0, len(findings))
	for _, f := range findings {
		rows = append(rows, f)
	}
	return output{format: format, headers: checkHeaders, defaultTable: "{{.Kind}}\t{{.ID}}\t{{.Problem}}\t{{.Action}}"}.write(cmd.OutOrStdout(), rows)
}

// checkStatus is the call's end: 1 (printing nothing more) while some
// inconsistency is left.
func checkStatus(findings []lifecycle.Finding) error {
	for _, f := range findings {
		if !f.Repaired {
			return container.ExitStatus(1)
		}
	}
	return nil
}
