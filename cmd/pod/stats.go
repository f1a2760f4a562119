package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/monitor"
)

var statsHeaders = map[string]string{
	".ID": "CONTAINER ID", ".Name": "NAME", ".CPUPerc": "CPU %", ".MemUsage": "MEM USAGE / LIMIT",
	".MemPerc": "MEM %", ".NetIO": "NET I/O", ".BlockIO": "BLOCK I/O", ".PIDs": "PIDS",
}

const statsTable = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

func newStatsCommand(g *globalOptions) *cobra.Command {
	var all, noStream, noTrunc bool
	var format string
	cmd := &cobra.Command{
		Use:   "stats [flags] [CONTAINER...]",
		Short: "Display a live stream of container resource usage statistics",
		Long: "Display container resource usage from the containers' cgroups. Rootless containers need cgroup v2\n" +
			"with controllers delegated to the user; on cgroup v1 only rootful containers have statistics.",
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.store()
			if err != nil {
				return err
			}
			rt, err := g.ociRuntime(cmd.Context())
			if err != nil {
				return err
			}
			var recs []*container.Record
			for _, a := range args {
				r, err := g.loadContainer(cmd.Context(), a)
				if err != nil {
					return err
				}
				recs = append(recs, r)
			}
			if len(args) == 0 {
				list, err := container.List(st)
				if err != nil {
					return err
				}
				for _, r := range list {
					if all || r.Running() {
						recs = append(recs, r)
					}
				}
			}
			prev := make([]monitor.StatsSample, len(recs))
			for i, r := range recs {
				if prev[i], err = monitor.Sample(cmd.Context(), st, rt, r); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			f, isFile := w.(*os.File)
			clear := !noStream && isFile && term.IsTerminal(int(f.Fd()))
			for {
				time.Sleep(time.Second)
				rows := make([]any, 0, len(recs))
				for i, r := range recs {
					cur, err := monitor.Sample(cmd.Context(), st, rt, r)
					if err != nil {
						return err
					}
					row := monitor.NewStatsRow(r, prev[i], cur)
					if noTrunc {
						row.ID = r.Config.ID
					}
					rows = append(rows, row)
					prev[i] = cur
				}
				if clear {
					_, _ = io.WriteString(w, "\033[2J\033[H")
				}
				if err := (output{format: format, headers: statsHeaders, defaultTable: statsTable}).write(w, rows); err != nil {
					return err
				}
				if noStream {
					return nil
				}
				fmt.Fprintln(w)
			}
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "show all containers (default shows just running)")
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print the first result and exit")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	return cmd
}
