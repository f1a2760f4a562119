package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/storage"
)

// eventRow is an event as `pod events` shows it, with Podman's field
// names (--format templates and JSON keys alike).
type eventRow struct {
	ID                string            `json:"ID,omitempty"`
	Image             string            `json:"Image,omitempty"`
	Name              string            `json:"Name,omitempty"`
	Status            string            `json:"Status"`
	Time              time.Time         `json:"Time"`
	Type              string            `json:"Type"`
	ContainerExitCode int               `json:"ContainerExitCode,omitempty"`
	Attributes        map[string]string `json:"Attributes"`
}

func newEventRow(e events.Event) eventRow {
	r := eventRow{ID: e.ID, Image: e.Image, Name: e.Name, Status: e.Action, Time: e.Time, Type: e.Type, Attributes: e.Attributes}
	if e.ExitCode != nil {
		r.ContainerExitCode = *e.ExitCode
	}
	return r
}

// line is Podman's default rendering of an event.
func (r eventRow) line() string {
	head := r.Time.Local().Format("2006-01-02 15:04:05.000000000 -0700 MST") + " " + r.Type + " " + r.Status + " " + r.ID
	if r.Type != events.Container {
		return head + " " + r.Name
	}
	attrs := []string{"image=" + r.Image, "name=" + r.Name}
	if r.Status == "died" {
		attrs = append(attrs, fmt.Sprintf("containerExitCode=%d", r.ContainerExitCode))
	}
	for _, k := range slices.Sorted(maps.Keys(r.Attributes)) {
		attrs = append(attrs, k+"="+r.Attributes[k])
	}
	return head + " (" + strings.Join(attrs, ", ") + ")"
}

// eventFilters select events: values of one key are OR-ed, keys AND-ed.
type eventFilters map[string][]string

var eventFilterKeys = []string{"container", "event", "image", "label", "network", "pod", "status", "type", "volume"}

func parseEventFilters(args []string) (eventFilters, error) {
	f := eventFilters{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !slices.Contains(eventFilterKeys, k) {
			return nil, usageErrorf("invalid filter %q: use %s=VALUE", a, strings.Join(eventFilterKeys, "=, "))
		}
		if k == "status" {
			k = "event"
		}
		f[k] = append(f[k], v)
	}
	return f, nil
}

func (f eventFilters) match(e events.Event) bool {
	for k, vals := range f {
		if !slices.ContainsFunc(vals, func(v string) bool { return matchEvent(k, v, e) }) {
			return false
		}
	}
	return true
}

func matchEvent(k, v string, e events.Event) bool {
	named := func(typ string) bool {
		return e.Type == typ && (e.Name == v || (len(v) >= 3 && strings.HasPrefix(e.ID, v)))
	}
	switch k {
	case "container":
		return named(events.Container)
	case "image":
		return e.Image == v || named(events.Image)
	case "volume":
		return named(events.Volume)
	case "network":
		return named(events.Network)
	case "pod":
		return named(events.Pod)
	case "event":
		return e.Action == v
	case "type":
		return e.Type == v
	case "label":
		lk, lv, hasValue := strings.Cut(v, "=")
		got, ok := e.Attributes[lk]
		return ok && (!hasValue || got == lv)
	}
	return false
}

// newEventsCommand builds `pod events`: the events log, past events and,
// unless --stream=false, those that follow until --until or Ctrl-C.
func newEventsCommand(g *globalOptions) *cobra.Command {
	var filters []string
	var format, since, until string
	var stream, noTrunc bool
	cmd := &cobra.Command{
		Use:   "events [flags]",
		Short: "Show the events of containers, images, volumes and networks",
		Long: "Show the events of containers, images, volumes and networks: those logged, then, with --stream (the\n" +
			"default), those that follow. Filters: container=, event=, image=, label=, network=, type=, volume=.",
		Args:        cobra.NoArgs,
		Annotations: map[string]string{noNamespace: "true"},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := parseEventFilters(filters)
			if err != nil {
				return err
			}
			now := time.Now()
			var from, to time.Time
			if since != "" {
				if from, err = storage.ParseUntil(since, now); err != nil {
					return usageErrorf("--since %q: %v", since, err)
				}
			}
			if until != "" {
				if to, err = storage.ParseUntil(until, now); err != nil {
					return usageErrorf("--until %q: %v", until, err)
				}
			}
			print, err := eventPrinter(cmd.OutOrStdout(), format)
			if err != nil {
				return err
			}
			var perr error
			each := func(e events.Event) bool {
				switch {
				case !to.IsZero() && e.Time.After(to):
					return false
				case e.Time.Before(from) || !f.match(e):
					return true
				}
				perr = print(newEventRow(e))
				return perr == nil
			}
			log := events.Open(g.mode.RuntimeDir)
			if !stream || (!to.IsZero() && !to.After(now)) {
				if err := log.Read(each); err != nil {
					return err
				}
				return perr
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if !to.IsZero() {
				var cancel context.CancelFunc
				ctx, cancel = context.WithDeadline(ctx, to)
				defer cancel()
			}
			if err := log.Follow(ctx, each); err != nil {
				return err
			}
			return perr
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&filters, "filter", "f", nil, "show only the events matching (container=, event=, image=, label=, network=, type=, volume=)")
	fl.StringVar(&format, "format", "", "format the output: json, or a Go template (.ID, .Name, .Status, .Type, .Time, .Image, .ContainerExitCode, .Attributes)")
	fl.StringVar(&since, "since", "", "show the events since this time (RFC 3339, Unix seconds, or a duration ago: 10m)")
	fl.StringVar(&until, "until", "", "show the events until this time (as --since); with --stream, stop then")
	fl.BoolVar(&stream, "stream", true, "go on showing the events that follow, until Ctrl-C or --until")
	fl.BoolVar(&noTrunc, "no-trunc", true, "do not truncate IDs (pod never does)")
	return cmd
}

// eventPrinter writes one event per line: Podman's line, a JSON object,
// or a template.
func eventPrinter(w io.Writer, format string) (func(eventRow) error, error) {
	body := format
	switch format {
	case "":
		return func(r eventRow) error { _, err := fmt.Fprintln(w, r.line()); return err }, nil
	case "json":
		// One object per line, as Podman's (not write's JSON array).
		body = "{{json .}}"
	}
	tmpl, err := parseRow(format, unescapeTabs(strings.TrimPrefix(body, "table ")))
	if err != nil {
		return nil, err
	}
	return func(r eventRow) error {
		line, err := tmpl.line(r)
		if err == nil {
			_, err = fmt.Fprintln(w, line)
		}
		return err
	}, nil
}
