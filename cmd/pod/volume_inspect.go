package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newVolumeInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] VOLUME [VOLUME...]",
		Short: "Show details of volumes",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usageErrorf("pod volume inspect needs at least one volume (or --all)")
			}
			_, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			var items []any
			failed := 0
			if all {
				vols, err := vs.List()
				if err != nil {
					return err
				}
				for _, v := range vols {
					items = append(items, v)
				}
			}
			for _, name := range args {
				v, err := vs.Get(name)
				if err != nil {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "Error: %v\n", err)
					continue
				}
				items = append(items, v)
			}
			w := cmd.OutOrStdout()
			if format == "" || format == "json" {
				if items == nil {
					items = []any{}
				}
				err = writeJSON(w, items)
			} else {
				err = output{format: format}.write(w, items)
			}
			if err != nil {
				return err
			}
			if failed > 0 {
				return &exitError{code: 125, err: fmt.Errorf("%d of %d volumes not found", failed, len(args))}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	cmd.Flags().BoolVarP(&all, "all", "a", false, "inspect every volume")
	return cmd
}
