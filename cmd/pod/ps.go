package main

import (
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/pods"
)

// psRow is one line of `pod ps`; --format templates name its fields.
type psRow struct {
	ID         string
	Image      string
	Command    string
	CreatedAt  string
	RunningFor string
	Status     string
	State      string
	Ports      string
	Names      string
	Labels     map[string]string
	ExitCode   int
	// Size is the writable layer's size and the virtual size (with -s).
	Size string
	// Pid is the container's first process (0 when it does not run);
	// Namespaces are that process's namespaces (with --ns).
	Pid        int
	Namespaces psNamespaces
	// Pod and PodName are the container's pod's (--pod shows them).
	Pod, PodName string
	// Mounts are the destinations of the container's volumes and binds
	// (Podman's {{.Mounts}}, which distrobox list reads).
	Mounts []string
}

// psNamespaces are a process's namespaces by inode number, as ps --ns
// shows them.
type psNamespaces struct {
	Cgroup, IPC, MNT, NET, PIDNS, User, UTS string
}

// readNamespaces reads the namespaces of process pid ("" for those it
// cannot read).
func readNamespaces(pid int) psNamespaces {
	read := func(name string) string {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, name))
		if err != nil {
			return ""
		}
		// net:[4026532008]
		_, v, _ := strings.Cut(l, "[")
		return strings.TrimSuffix(v, "]")
	}
	return psNamespaces{Cgroup: read("cgroup"), IPC: read("ipc"), MNT: read("mnt"), NET: read("net"),
		PIDNS: read("pid"), User: read("user"), UTS: read("uts")}
}

var psHeaders = map[string]string{
	".ID": "CONTAINER ID", ".Image": "IMAGE", ".Command": "COMMAND", ".CreatedAt": "CREATED AT",
	".RunningFor": "CREATED", ".Status": "STATUS", ".State": "STATE", ".Ports": "PORTS", ".Names": "NAMES",
	".Labels": "LABELS", ".Size": "SIZE", ".ExitCode": "EXIT CODE", ".Pid": "PID", ".Pod": "POD ID", ".PodName": "PODNAME", ".Mounts": "MOUNTS",
	".Namespaces.Cgroup": "CGROUPNS", ".Namespaces.IPC": "IPC", ".Namespaces.MNT": "MNT", ".Namespaces.NET": "NET",
	".Namespaces.PIDNS": "PIDNS", ".Namespaces.User": "USERNS", ".Namespaces.UTS": "UTS",
}

func newPsCommand(g *globalOptions) *cobra.Command {
	var all, quiet, noTrunc, latest, size, external, noHeading, ns, pods, sync bool
	var last, watch int
	var format, sortBy string
	var filters []string
	cmd := &cobra.Command{
		Use:   "ps [flags]",
		Short: "List containers",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			match, err := container.ParseFilters(filters)
			if err != nil {
				return usageErrorf("%v", err)
			}
			less, ok := psSorts[sortBy]
			if sortBy != "" && !ok {
				return usageErrorf("--sort %q: choose command, created, id, image, names, runningfor, size or status", sortBy)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			// pod=NAME: the pod's ID, which the records carry.
			for i, v := range match["pod"] {
				if pi, err := h.Pod(cmd.Context(), v); err == nil {
					match["pod"][i] = pi.ID
				}
			}
			if latest {
				last = 1
			}
			v := psView{all: all, last: last, size: size, noTrunc: noTrunc, ns: ns, external: external,
				sortBy: sortBy, less: less, match: match}
			out := psOutput(format, quiet, size, ns, pods)
			out.noHeading = noHeading
			if watch > 0 {
				return watchPs(cmd, h, v, out, time.Duration(watch)*time.Second)
			}
			rows, err := psList(cmd, h, v)
			if err != nil {
				return err
			}
			return out.write(cmd.OutOrStdout(), rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, "show all containers (default: running only)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "only display container IDs")
	fl.BoolVar(&noTrunc, "no-trunc", false, "don't truncate output")
	fl.BoolVarP(&latest, "latest", "l", false, "show the latest created container")
	fl.IntVarP(&last, "last", "n", -1, "show the n last created containers")
	fl.BoolVarP(&size, "size", "s", false, "display total file sizes")
	fl.BoolVar(&external, "external", false, "show storage containers that have no pod record too (status Storage)")
	fl.StringVar(&format, "format", "", "format the output: table, json, or a Go template")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter output (status=, name=, id=, ancestor=, label=, exited=, health=, restart-policy=, until=)")
	fl.BoolVar(&noHeading, "noheading", false, "do not print the header row")
	fl.BoolVar(&ns, "ns", false, "show the containers' PIDs and namespaces")
	fl.BoolVarP(&pods, "pod", "p", false, "show the POD ID and PODNAME columns")
	fl.BoolVar(&sync, "sync", false, "accepted for Podman's scripts: pod checks the state of running containers at every ps")
	fl.IntVarP(&watch, "watch", "w", 0, "list again every N seconds")
	fl.StringVar(&sortBy, "sort", "", "sort by command, created (oldest first), id, image, names, runningfor, size or status (default: newest first)")
	return cmd
}

// psSorts are ps's --sort orders, as Podman's: ascending by the field.
var psSorts = map[string]func(a, b *container.Record) int{
	"command": func(a, b *container.Record) int {
		return strings.Compare(strings.Join(a.Config.Command, " "), strings.Join(b.Config.Command, " "))
	},
	"created":    func(a, b *container.Record) int { return a.Config.Created.Compare(b.Config.Created) },
	"runningfor": func(a, b *container.Record) int { return a.Config.Created.Compare(b.Config.Created) },
	"id":         func(a, b *container.Record) int { return strings.Compare(a.Config.ID, b.Config.ID) },
	"image":      func(a, b *container.Record) int { return strings.Compare(a.Config.Image, b.Config.Image) },
	"names":      func(a, b *container.Record) int { return strings.Compare(a.Config.Name, b.Config.Name) },
	"status": func(a, b *container.Record) int {
		return strings.Compare(string(a.State.Status), string(b.State.Status))
	},
	"size": nil, // sortBySize: sizes are read from storage
}

// sortBySize orders the containers by the size of their writable layer,
// smallest first.
func sortBySize(h *lifecycle.Host, recs []*container.Record) ([]*container.Record, error) {
	sizes := make(map[*container.Record]int64, len(recs))
	for _, r := range recs {
		if r.External {
			continue
		}
		rw, _, err := container.Size(h.Store, r)
		if err != nil {
			return nil, err
		}
		sizes[r] = rw
	}
	slices.SortStableFunc(recs, func(a, b *container.Record) int { return cmp.Compare(sizes[a], sizes[b]) })
	return recs, nil
}

// psOutput is ps's table (with sizes for -s, namespaces for --ns, pod
// columns for --pod), or IDs only with -q.
func psOutput(format string, quiet, size, ns, pods bool) output {
	table := `{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}`
	if ns {
		table = `{{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}\t{{.Namespaces.MNT}}\t{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}`
	}
	if size {
		table += `\t{{.Size}}`
	}
	if pods {
		table += `\t{{.Pod}}\t{{.PodName}}`
	}
	if quiet {
		format = "{{.ID}}"
	}
	return output{format: format, headers: psHeaders, defaultTable: table}
}

// psView is what `pod ps` shows: which containers, and how.
type psView struct {
	all, size, noTrunc, ns bool
	// external lists storage containers without a pod record too.
	external bool
	last     int
	match    container.Filters
	// sortBy is --sort, and less its order (nil for size, which is read
	// from storage, and for the default, newest first).
	sortBy string
	less   func(a, b *container.Record) int
}

// psList lists the containers, in --sort's order, as the rows ps shows.
func psList(cmd *cobra.Command, h *lifecycle.Host, v psView) ([]any, error) {
	recs, err := h.List(cmd.Context(), lifecycle.ListOptions{External: v.external})
	if err != nil {
		return nil, err
	}
	if v.sortBy == "size" {
		if recs, err = sortBySize(h, recs); err != nil {
			return nil, err
		}
	} else if v.less != nil {
		slices.SortStableFunc(recs, v.less)
	}
	return psRows(h, recs, v)
}

// psRows turns the listed containers into the rows ps shows: running
// ones (or all, or the last N) that match the filters.
func psRows(h *lifecycle.Host, recs []*container.Record, v psView) ([]any, error) {
	now := time.Now()
	var rows []any
	var podNames map[string]string
	for _, r := range recs {
		if !v.all && v.last <= 0 && !r.Running() && !r.State.Restarting && !v.match.HasStatus() && !r.External {
			continue
		}
		if !v.match.Match(r) {
			continue
		}
		if v.last > 0 && len(rows) >= v.last {
			break
		}
		row := newPsRow(r, now, v.noTrunc)
		if r.Config.Pod != "" {
			if podNames == nil {
				podNames = map[string]string{}
				all, _, _ := pods.New(h.Store.GraphRoot()).List()
				for _, p := range all {
					podNames[p.ID] = p.Name
				}
			}
			row.Pod, row.PodName = r.Config.Pod, podNames[r.Config.Pod]
			if !v.noTrunc {
				row.Pod = container.ShortID(row.Pod)
			}
		}
		if r.Running() {
			row.Pid = r.State.Pid
			if v.ns {
				row.Namespaces = readNamespaces(r.State.Pid)
			}
		}
		if v.size {
			rw, virtual, err := container.Size(h.Store, r)
			if err != nil {
				return nil, err
			}
			row.Size = units.HumanSizeWithPrecision(float64(rw), 3) + " (virtual " + units.HumanSizeWithPrecision(float64(virtual), 3) + ")"
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func newPsRow(r *container.Record, now time.Time, noTrunc bool) psRow {
	c := r.Config
	state := r.State
	if state.Status == container.StatusRunning && !r.Running() {
		state.Status = container.StatusExited
	}
	row := psRow{
		ID: c.ID, Image: c.Image, Names: c.Name, Labels: c.Labels, Mounts: []string{},
		CreatedAt:  c.Created.Local().Format("2006-01-02 15:04:05 -0700 MST"),
		RunningFor: units.HumanDuration(now.Sub(c.Created)) + " ago",
		Status:     state.Describe(now),
		State:      string(state.Status),
		ExitCode:   state.ExitCode,
	}
	if r.External {
		row.Status, row.State = "Storage", "storage"
	}
	cmdline := strings.Join(c.Command, " ")
	if !noTrunc {
		row.ID = container.ShortID(c.ID)
		if len(cmdline) > 20 {
			cmdline = cmdline[:19] + "…"
		}
	}
	row.Command = `"` + cmdline + `"`
	if state.Status == container.StatusRunning {
		row.Ports = container.FormatPorts(c.Ports)
	}
	for _, m := range c.Mounts {
		row.Mounts = append(row.Mounts, m.Destination)
	}
	return row
}

// watchPs lists again every interval until interrupted, clearing a
// terminal between lists.
func watchPs(cmd *cobra.Command, h *lifecycle.Host, v psView, out output, interval time.Duration) error {
	w := cmd.OutOrStdout()
	clear := isTerminal(w)
	for {
		rows, err := psList(cmd, h, v)
		if err != nil {
			return err
		}
		if clear {
			clearScreen(w)
		}
		if err := out.write(w, rows); err != nil {
			return err
		}
		select {
		case <-cmd.Context().Done():
			return nil
		case <-time.After(interval):
		}
	}
}
