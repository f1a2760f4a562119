package main

import (
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
)

func newLogsCommand(g *globalOptions) *cobra.Command {
	var follow, timestamps bool
	var tail, since, until string
	cmd := &cobra.Command{
		Use:   "logs [flags] CONTAINER",
		Short: "Fetch the logs of a container",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o := container.LogsOptions{Follow: follow, Tail: -1, Timestamps: timestamps}
			if tail != "all" && tail != "" {
				n, err := strconv.Atoi(tail)
				if err != nil {
					return usageErrorf("--tail %q: use a number of lines or all", tail)
				}
				o.Tail = max(n, -1)
			}
			now := time.Now()
			var err error
			if o.Since, err = container.ParseLogTime(since, now); err != nil {
				return usageErrorf("--since: %v", err)
			}
			if o.Until, err = container.ParseLogTime(until, now); err != nil {
				return usageErrorf("--until: %v", err)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			rec, err := h.Load(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return container.ReadLogs(cmd.Context(), rec, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&follow, "follow", "f", false, "follow log output until the container exits")
	fl.StringVarP(&tail, "tail", "n", "all", "number of lines to show from the end of the logs")
	fl.StringVar(&since, "since", "", "show logs since a time (2013-01-02T13:23:37Z), a Unix timestamp, or a duration before now (42m)")
	fl.StringVar(&until, "until", "", "show logs before a time (2013-01-02T13:23:37Z), a Unix timestamp, or a duration before now (42m)")
	fl.BoolVarP(&timestamps, "timestamps", "t", false, "show timestamps")
	return cmd
}
