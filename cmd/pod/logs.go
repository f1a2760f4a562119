package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// logsFlags are the flags logs and pod pods logs share.
type logsFlags struct {
	follow, timestamps, names, color bool
	tail, since, until               string
}

func (lf *logsFlags) register(fl *pflag.FlagSet) {
	fl.BoolVarP(&lf.follow, "follow", "f", false, "follow log output until the container exits")
	fl.StringVar(&lf.since, "since", "", "show logs since a time (2013-01-02T13:23:37Z), a Unix timestamp, or a duration before now (42m)")
	fl.StringVar(&lf.until, "until", "", "show logs before a time (2013-01-02T13:23:37Z), a Unix timestamp, or a duration before now (42m)")
	fl.BoolVarP(&lf.timestamps, "timestamps", "t", false, "show timestamps")
	fl.BoolVar(&lf.color, "color", false, "show each container's prefix in a colour of its own")
}

// options reads the flags into the logs' options.
func (lf *logsFlags) options() (container.LogsOptions, error) {
	o := container.LogsOptions{Follow: lf.follow, Tail: -1, Timestamps: lf.timestamps}
	if lf.tail != "all" && lf.tail != "" {
		n, err := strconv.Atoi(lf.tail)
		if err != nil {
			return o, usageErrorf("--tail %q: use a number of lines or all", lf.tail)
		}
		o.Tail = max(n, -1)
	}
	now := time.Now()
	var err error
	if o.Since, err = container.ParseLogTime(lf.since, now); err != nil {
		return o, usageErrorf("--since: %v", err)
	}
	if o.Until, err = container.ParseLogTime(lf.until, now); err != nil {
		return o, usageErrorf("--until: %v", err)
	}
	return o, nil
}

func newLogsCommand(g *globalOptions) *cobra.Command {
	var lf logsFlags
	cmd := &cobra.Command{
		Use:   "logs [flags] CONTAINER [CONTAINER...]",
		Short: "Fetch the logs of containers",
		Long: "Fetch the logs of containers. With several, each line starts with its container's short ID\n" +
			"(its name with --names); with --follow they are shown as they come.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := lf.options()
			if err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			recs := make([]*container.Record, 0, len(args))
			for _, a := range args {
				rec, err := h.Load(cmd.Context(), a)
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			if len(recs) == 1 && !lf.names {
				return container.ReadLogs(cmd.Context(), recs[0], o, cmd.OutOrStdout(), cmd.ErrOrStderr())
			}
			return readManyLogs(cmd.Context(), recs, o, logPrefixes(recs, lf.names, lf.color), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	lf.register(fl)
	// -n is --tail, as Docker's (Podman's -n is --names).
	fl.StringVarP(&lf.tail, "tail", "n", "all", "number of lines to show from the end of the logs")
	fl.BoolVar(&lf.names, "names", false, "start each line with its container's name (not its short ID)")
	return cmd
}

// logColors are the ANSI colours --color gives the containers in turn.
var logColors = []string{"\x1b[32m", "\x1b[33m", "\x1b[34m", "\x1b[35m", "\x1b[36m", "\x1b[31m"}

// logPrefixes are the line prefixes of each container's log: its short
// ID or its name, coloured with --color.
func logPrefixes(recs []*container.Record, names, color bool) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		p := container.ShortID(r.Config.ID)
		if names {
			p = r.Config.Name
		}
		if color {
			p = logColors[i%len(logColors)] + p + "\x1b[0m"
		}
		out[i] = p + " "
	}
	return out
}

// readManyLogs shows several containers' logs, each line led by its
// container's prefix: one after the other, or at once with Follow (lines
// never interleave: each is written whole).
func readManyLogs(ctx context.Context, recs []*container.Record, o container.LogsOptions, prefixes []string, stdout, stderr io.Writer) error {
	var mu sync.Mutex
	read := func(i int) error {
		out := &prefixWriter{mu: &mu, w: stdout, prefix: prefixes[i]}
		errw := &prefixWriter{mu: &mu, w: stderr, prefix: prefixes[i]}
		err := container.ReadLogs(ctx, recs[i], o, out, errw)
		out.flush()
		errw.flush()
		return err
	}
	if !o.Follow {
		for i := range recs {
			if err := read(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, len(recs))
	var wg sync.WaitGroup
	for i := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = read(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// prefixWriter writes whole lines, each led by prefix, under a lock
// shared by the writers of one output.
type prefixWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	prefix string
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			return len(b), nil
		}
		p.mu.Lock()
		_, err := io.WriteString(p.w, p.prefix+string(p.buf[:i+1]))
		p.mu.Unlock()
		p.buf = p.buf[i+1:]
		if err != nil {
			return len(b), err
		}
	}
}

// flush writes a last line that had no newline.
func (p *prefixWriter) flush() {
	if len(p.buf) > 0 {
		_, _ = p.Write([]byte{'\n'})
	}
}
