package main

import (
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newDiffCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "diff [flags] CONTAINER",
		Short: "Inspect changes to files or directories on a container's filesystem",
		Long:  "List the files a container added (A), changed (C) or deleted (D) compared with its image.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			changes, err := container.Diff(st, args[0])
			if err != nil {
				return err
			}
			if format == "" {
				return container.WriteChanges(cmd.OutOrStdout(), changes)
			}
			rows := make([]any, len(changes))
			for i, c := range changes {
				rows[i] = c
			}
			return output{format: format, defaultTable: "{{.Kind}}\t{{.Path}}"}.write(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "format the output: json, or a Go template per change ({{.Kind}} {{.Path}})")
	return cmd
}
