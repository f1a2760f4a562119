package main

import (
	"fmt"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/volumes"
)

// volumeRow is one line of `pod volume ls`; --format templates name its
// fields.
type volumeRow struct {
	Name       string
	Driver     string
	Mountpoint string
	CreatedAt  string
	Labels     map[string]string
	Options    map[string]string
	Scope      string
	Anonymous  bool
}

var volumeHeaders = map[string]string{
	".Name": "VOLUME NAME", ".Driver": "DRIVER", ".Mountpoint": "MOUNTPOINT", ".CreatedAt": "CREATED AT",
}

func newVolumeLsCommand(g *globalOptions) *cobra.Command {
	var quiet, noHeading bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Long:    "List volumes by name. Filters: name=, label=KEY[=VALUE], label!=KEY[=VALUE], dangling=true|false, driver=local.",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := volumes.ListFilters(filters)
			if err != nil {
				return usageErrorf("--filter %v", err)
			}
			st, vs, err := g.volumeStore()
			if err != nil {
				return err
			}
			entries, err := volumes.List(st, vs, f)
			if err != nil {
				return err
			}
			entries = append(entries, damagedVolumes(vs)...)
			w := cmd.OutOrStdout()
			if quiet {
				for _, e := range entries {
					fmt.Fprintln(w, e.Name)
				}
				return nil
			}
			rows := make([]any, 0, len(entries))
			for _, e := range entries {
				rows = append(rows, volumeRow{
					Name: e.Name, Driver: e.Driver, Mountpoint: e.Mountpoint, CreatedAt: e.CreatedAt.Format(time.RFC3339),
					Labels: e.Labels, Options: e.Options, Scope: e.Scope, Anonymous: e.Anonymous,
				})
			}
			return output{format: format, headers: volumeHeaders, defaultTable: `{{.Driver}}\t{{.Name}}`, noHeading: noHeading}.write(w, rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noHeading, "noheading", false, "do not print the header row")
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show volume names")
	fl.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter output (name=, label=, label!=, dangling=, driver=)")
	return cmd
}

// damagedVolumes are the volumes whose metadata cannot be read, listed
// (and warned about) rather than hidden: pod volume rm -f removes them.
func damagedVolumes(vs *volumes.Store) []volumes.ListEntry {
	damaged, _ := vs.Damaged()
	out := make([]volumes.ListEntry, 0, len(damaged))
	for _, d := range damaged {
		logrus.Warnf("volume %s: its metadata is damaged (%v): pod volume rm -f %s removes it, pod system check --repair writes it anew", d.Name, d.Err, d.Name)
		out = append(out, volumes.ListEntry{Volume: &volumes.Volume{Name: d.Name, Driver: "local", Mountpoint: vs.DataDir(d.Name), Scope: "local"}})
	}
	return out
}
