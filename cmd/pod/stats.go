package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/lifecycle"
)

var statsHeaders = map[string]string{
	".ID": "CONTAINER ID", ".Name": "NAME", ".CPUPerc": "CPU %", ".MemUsage": "MEM USAGE / LIMIT",
	".MemPerc": "MEM %", ".NetIO": "NET I/O", ".BlockIO": "BLOCK I/O", ".PIDs": "PIDS",
}

const statsTable = "{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}"

func newStatsCommand(g *globalOptions) *cobra.Command {
	var all, noStream, noTrunc, noReset bool
	var format string
	var interval int
	cmd := &cobra.Command{
		Use:   "stats [flags] [CONTAINER...]",
		Short: "Display a live stream of container resource usage statistics",
		Long: "Display container resource usage from the containers' cgroups. Rootless containers need cgroup v2\n" +
			"with controllers delegated to the user; on cgroup v1 only rootful containers have statistics.",
		RunE: func(cmd *cobra.Command, args []string) error {
			if interval < 1 {
				return usageErrorf("--interval %d: give a number of seconds, at least 1", interval)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			s, err := h.Stats(cmd.Context(), lifecycle.StatsOptions{Targets: args, All: all})
			if err != nil {
				return err
			}
			out := output{format: format, headers: statsHeaders, defaultTable: statsTable}
			return printStats(cmd, s, out, statsView{noStream: noStream, noTrunc: noTrunc, noReset: noReset, interval: time.Duration(interval) * time.Second})
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "show all containers (default shows just running)")
	cmd.Flags().BoolVar(&noStream, "no-stream", false, "print the first result and exit")
	cmd.Flags().BoolVar(&noTrunc, "no-trunc", false, "do not truncate the output")
	cmd.Flags().StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	cmd.Flags().IntVarP(&interval, "interval", "i", 1, "seconds between reports")
	cmd.Flags().BoolVar(&noReset, "no-reset", false, "do not clear the screen between reports")
	return cmd
}

// statsView is how stats reports.
type statsView struct {
	noStream, noTrunc, noReset bool
	interval                   time.Duration
}

// printStats prints a table of rows every interval (clearing a terminal
// between them unless noReset), or once with noStream. The first comes
// after a second: CPU use is measured between two readings.
func printStats(cmd *cobra.Command, s *lifecycle.Stats, out output, v statsView) error {
	w := cmd.OutOrStdout()
	clear := !v.noStream && !v.noReset && isTerminal(w)
	wait := time.Second
	for {
		time.Sleep(wait)
		wait = v.interval
		rows, err := s.Next(cmd.Context())
		if err != nil {
			return err
		}
		items := make([]any, 0, len(rows))
		for _, r := range rows {
			if v.noTrunc {
				r.ID = r.FullID
			}
			items = append(items, r)
		}
		if clear {
			clearScreen(w)
		}
		if err := out.write(w, items); err != nil {
			return err
		}
		if v.noStream {
			return nil
		}
		fmt.Fprintln(w)
	}
}
