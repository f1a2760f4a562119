package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/pod-project/pod/cdi"
	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/pods"
)

// newPodsCommand groups the pod commands. pod's own name is pod, so the
// group is "pods" ("pod pods create"), and answers Podman's spelling,
// "pod", too: a script's "podman pod create" runs as "pod pod create".
func newPodsCommand(g *globalOptions) *cobra.Command {
	use, alias := "pods", "pod"
	if engineName() == "podman" {
		use, alias = "pod", "pods" // Podman's name first in its drop-in mode
	}
	cmd := &cobra.Command{
		Use:     use,
		Aliases: []string{alias},
		Short:   "Manage pods: groups of containers that share namespaces",
		Long: "A pod is a group of containers that share a network namespace (and by default the IPC\n" +
			"and UTS ones), held by an infra container that runs pod's own executable, pausing.\n" +
			"Containers join with run --pod NAME (or --pod new:NAME); ports are published on the pod.",
	}
	cmd.AddCommand(
		newPodCreateCommand(g),
		newPodPsCommand(g),
		newPodInspectCommand(g),
		newPodVerbCommand(g, "start", "Start pods: the infra container, init containers, then the others"),
		newPodVerbCommand(g, "stop", "Stop pods: their containers together, then the infra container"),
		newPodVerbCommand(g, "restart", "Stop and start pods again"),
		newPodVerbCommand(g, "kill", "Send a signal to every running container of pods"),
		newPodVerbCommand(g, "rm", "Remove pods and their containers"),
		newPodVerbCommand(g, "pause", "Pause every running container of pods (where cgroups allow it)"),
		newPodVerbCommand(g, "unpause", "Unpause every paused container of pods"),
		newPodLogsCommand(g),
		newPodPruneCommand(g),
		newPodTopCommand(g),
		newPodExistsCommand(g),
	)
	return cmd
}

func newPodCreateCommand(g *globalOptions) *cobra.Command {
	var o lifecycle.PodCreateOptions
	var net networkFlags
	var labels, labelFiles []string
	var share, infraCommand, infraImage, pid, exitPolicy string
	var infra, shareParent bool
	var vols volumeFlags
	var devices, secOpts, sysctls []string
	var shmSize, uts string
	cmd := &cobra.Command{
		Use:   "create [flags]",
		Short: "Create a new empty pod",
		Long: "Create a pod: its record and its infra container, which holds the namespaces its\n" +
			"containers share (--share, default ipc,net,uts) and the pod's network (--network,\n" +
			"-p, --dns...). It starts with pod pods start, or with its first container.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fl := cmd.Flags()
			if infraCommand != "" || infraImage != "" {
				return usageErrorf("--infra-command, --infra-image: a pod's infra container runs pod's own executable, pausing, with no image: leave them out")
			}
			if !shareParent {
				return usageErrorf("--share-parent=false: pod puts each container's cgroup under its own parent, not the pod's; leave it out")
			}
			if exitPolicy != "continue" && exitPolicy != "stop" {
				return usageErrorf("--exit-policy %q: continue or stop", exitPolicy)
			}
			if exitPolicy == "stop" {
				return usageErrorf("--exit-policy stop: pod does not stop a pod's infra container when its last container exits; give continue (the default) and pod pods stop")
			}
			o.ExitPolicy = exitPolicy
			var err error
			if fl.Changed("share") {
				if o.Share, err = pods.ParseShare(share); err != nil {
					return usageErrorf("%v", err)
				}
			}
			switch pid {
			case "", "private":
			case "host":
				return usageErrorf("--pid host: a pod's containers each choose --pid host themselves")
			default:
				return usageErrorf("--pid %q: private (shared with --share +pid), or each container's own --pid", pid)
			}
			if pid == "private" && !slices.Contains(o.Share, "pid") {
				if o.Share == nil {
					o.Share = slices.Clone(pods.DefaultShare)
				}
				o.Share = append(o.Share, "pid")
			}
			o.NoInfra = !infra
			if o.NoInfra && !fl.Changed("share") {
				o.Share = []string{}
			}
			if o.Labels, err = container.ParseLabels(labels); err != nil {
				return usageErrorf("%v", err)
			}
			if o.Labels, err = withLabelFiles(o.Labels, labelFiles); err != nil {
				return err
			}
			if o.Hostname != "" {
				if err := container.CheckDomainName("--hostname", o.Hostname); err != nil {
					return usageErrorf("%v", err)
				}
			}
			cfg := &container.Config{SecurityOpt: secOpts}
			if err := net.apply(cfg); err != nil {
				return err
			}
			if err := applyShmSysctls(cfg, shmSize, sysctls); err != nil {
				return err
			}
			switch uts {
			case "", "private":
			case "host":
				if o.Hostname != "" {
					return usageErrorf("--uts host and --hostname: the host's UTS namespace has the host's name")
				}
				cfg.UTS = container.NSHost
			default:
				return usageErrorf("--uts %q: private or host", uts)
			}
			o.Infra = cfg
			// What every container of the pod gets: -v, --volumes-from,
			// --device, --shm-size.
			member := &container.Config{Devices: devices, ShmSize: cfg.ShmSize}
			if err := vols.apply(member); err != nil {
				return err
			}
			for _, d := range devices {
				if !cdi.IsName(d) {
					if _, err := container.ParseDevice(d); err != nil {
						return usageErrorf("%v", err)
					}
				}
			}
			o.Member = member
			o.CreateCommand = os.Args
			h, err := g.host()
			if err != nil {
				return err
			}
			p, err := h.CreatePod(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), p.ID)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&o.Name, "name", "n", "", "the pod's name (default: a random one)")
	fl.StringVar(&o.Hostname, "hostname", "", "the host name of the pod's shared UTS namespace (default: the pod's name)")
	fl.StringArrayVarP(&labels, "label", "l", nil, "set metadata on the pod (KEY=VALUE)")
	fl.StringSliceVar(&labelFiles, "label-file", nil, "read labels from a file of KEY=VALUE lines")
	fl.StringVar(&share, "share", "", "the namespaces the pod's containers share: some of net, ipc, uts, pid (+NS adds to the default ipc,net,uts; none)")
	fl.BoolVar(&infra, "infra", true, "make an infra container to hold the shared namespaces")
	fl.StringVar(&o.InfraName, "infra-name", "", "the infra container's name (default: the pod ID's first 12 digits and -infra)")
	fl.StringVar(&infraCommand, "infra-command", "", "not supported: the infra container runs pod's own executable")
	fl.StringVar(&infraImage, "infra-image", "", "not supported: the infra container has no image")
	fl.StringVar(&infraCommand, "infra-conmon-pidfile", "", "not supported: the infra container's monitor is pod's")
	fl.StringVar(&pid, "pid", "", "private: the pod's containers share a PID namespace (as --share +pid)")
	fl.StringVar(&o.PodIDFile, "pod-id-file", "", "write the pod's ID to this file")
	fl.BoolVar(&o.Replace, "replace", false, "remove a pod of the same name first")
	fl.StringVar(&exitPolicy, "exit-policy", "continue", "what the infra container does when the last other container exits: continue")
	fl.BoolVar(&shareParent, "share-parent", true, "accepted for Podman's scripts: pod gives each container a cgroup of its own")
	net.register(fl)
	fl.StringArrayVarP(&vols.volumes, "volume", "v", nil, "mount a volume or host path in every container of the pod: NAME:DST[:OPTS], /HOST:DST[:OPTS] or DST")
	fl.StringArrayVar(&vols.volumesFrom, "volumes-from", nil, "mount the volumes of a container in every container of the pod: CONTAINER[:ro|rw]")
	fl.StringArrayVar(&devices, "device", nil, "give every container of the pod a host device: HOST[:CONTAINER][:PERMS], or a CDI name")
	fl.StringArrayVar(&secOpts, "security-opt", nil, "the infra container's security options")
	fl.StringArrayVar(&sysctls, "sysctl", nil, "a kernel setting of the pod's shared namespaces: KEY=VALUE (net.*, with --share ipc kernel.shm*...)")
	fl.StringVar(&shmSize, "shm-size", "", "size of /dev/shm in the pod's containers (default 64m)")
	fl.StringVar(&uts, "uts", "", "the pod's UTS namespace: private (default) or host")
	return cmd
}

// podRow is one line of pod pods ps; --format templates name its fields
// (Podman's).
type podRow struct {
	ID, Name, Status, Created, InfraID string
	NumberOfContainers                 int
	Labels                             map[string]string
	ContainerIds                       []string `json:"ContainerIds,omitempty"`
	ContainerNames                     []string `json:"ContainerNames,omitempty"`
	ContainerStatuses                  []string `json:"ContainerStatuses,omitempty"`
	created                            time.Time
}

// Id answers Podman's template name.
func (r podRow) Id() string { return r.ID } //nolint:revive // Podman's key

var podHeaders = map[string]string{
	".ID": "POD ID", ".Id": "POD ID", ".Name": "NAME", ".Status": "STATUS", ".Created": "CREATED",
	".InfraID": "INFRA ID", ".NumberOfContainers": "# OF CONTAINERS", ".Labels": "LABELS",
	".ContainerIds": "IDS", ".ContainerNames": "NAMES", ".ContainerStatuses": "STATUS",
}

func newPodPsCommand(g *globalOptions) *cobra.Command {
	var quiet, noHeading, noTrunc, latest, ctrIDs, ctrNames, ctrStatus, ns bool
	var format, sortBy string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ps [flags]",
		Aliases: []string{"ls", "list"},
		Short:   "List pods",
		Long:    "List pods. Filters: id=, name=, label=KEY[=VALUE], status=created|running|degraded|paused|exited, ctr-names=, ctr-ids=.",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if ns {
				return usageErrorf("--ns: the namespaces are the infra container's: pod inspect it")
			}
			keep, err := podFilters(filters)
			if err != nil {
				return usageErrorf("--filter %v", err)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			all, err := h.ListPods(cmd.Context())
			if err != nil {
				return err
			}
			now := time.Now()
			var rows []podRow
			for _, pi := range all {
				if !keep(pi) {
					continue
				}
				r := podRow{ID: pi.ID, Name: pi.Name, Status: pi.Status(), Labels: pi.Labels, InfraID: pi.InfraID,
					NumberOfContainers: len(pi.Containers), created: pi.Created,
					Created: units.HumanDuration(now.Sub(pi.Created)) + " ago"}
				for _, c := range pi.Containers {
					id := c.Config.ID
					if !noTrunc {
						id = container.ShortID(id)
					}
					r.ContainerIds = append(r.ContainerIds, id)
					r.ContainerNames = append(r.ContainerNames, c.Config.Name)
					r.ContainerStatuses = append(r.ContainerStatuses, ctrState(c))
				}
				if !noTrunc {
					r.ID, r.InfraID = container.ShortID(r.ID), container.ShortID(r.InfraID)
				}
				rows = append(rows, r)
			}
			if err := sortPods(rows, sortBy); err != nil {
				return err
			}
			if latest && len(rows) > 0 {
				sortPods(rows, "created")
				rows = rows[len(rows)-1:]
			}
			w := cmd.OutOrStdout()
			if quiet {
				for _, r := range rows {
					fmt.Fprintln(w, r.ID)
				}
				return nil
			}
			table := `{{.ID}}\t{{.Name}}\t{{.Status}}\t{{.Created}}\t{{.InfraID}}\t{{.NumberOfContainers}}`
			if ctrIDs {
				table += `\t{{join .ContainerIds ","}}`
			}
			if ctrNames {
				table += `\t{{join .ContainerNames ","}}`
			}
			if ctrStatus {
				table += `\t{{join .ContainerStatuses ","}}`
			}
			items := make([]any, len(rows))
			for i, r := range rows {
				items[i] = r
			}
			return output{format: format, headers: podHeaders, defaultTable: table, noHeading: noHeading}.write(w, items)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show pod IDs")
	fl.BoolVar(&noHeading, "noheading", false, "do not print the header row")
	fl.BoolVar(&noTrunc, "no-trunc", false, "do not shorten IDs")
	fl.BoolVarP(&latest, "latest", "l", false, "show the pod created last")
	fl.BoolVar(&ctrIDs, "ctr-ids", false, "show the IDs of the pod's containers")
	fl.BoolVar(&ctrNames, "ctr-names", false, "show the names of the pod's containers")
	fl.BoolVar(&ctrStatus, "ctr-status", false, "show the states of the pod's containers")
	fl.BoolVar(&ns, "ns", false, "not supported: pod inspect the infra container for its namespaces")
	fl.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	fl.StringVar(&sortBy, "sort", "created", "sort by created, id, name, number or status")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter output (id=, name=, label=, status=, ctr-names=, ctr-ids=)")
	return cmd
}

// podFilters reads pod ps's --filter values: the same key given twice
// matches either value, different keys must all match.
func podFilters(filters []string) (func(lifecycle.PodInfo) bool, error) {
	by := map[string][]string{}
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("%q: give KEY=VALUE", f)
		case !slices.Contains([]string{"id", "name", "label", "status", "ctr-names", "ctr-ids"}, k):
			return nil, fmt.Errorf("%q: pod filters are id, name, label, status, ctr-names, ctr-ids", f)
		case k == "status" && !slices.Contains([]string{"created", "running", "degraded", "paused", "exited", "stopped"}, v):
			return nil, fmt.Errorf("%q: status is created, running, degraded, paused or exited", f)
		}
		by[k] = append(by[k], v)
	}
	one := func(pi lifecycle.PodInfo, k, v string) bool {
		switch k {
		case "id":
			return strings.HasPrefix(pi.ID, v)
		case "name":
			return strings.Contains(pi.Name, v)
		case "label":
			lk, lv, hasValue := strings.Cut(v, "=")
			got, ok := pi.Labels[lk]
			return ok && (!hasValue || got == lv)
		case "status":
			s := strings.ToLower(pi.Status())
			return s == v || (v == "stopped" && s == "exited")
		}
		return slices.ContainsFunc(pi.Containers, func(r *container.Record) bool {
			if k == "ctr-ids" {
				return strings.HasPrefix(r.Config.ID, v)
			}
			return r.Config.Name == v
		})
	}
	return func(pi lifecycle.PodInfo) bool {
		for k, vs := range by {
			if !slices.ContainsFunc(vs, func(v string) bool { return one(pi, k, v) }) {
				return false
			}
		}
		return true
	}, nil
}

func sortPods(rows []podRow, by string) error {
	less := map[string]func(a, b podRow) bool{
		"created": func(a, b podRow) bool { return a.created.Before(b.created) },
		"id":      func(a, b podRow) bool { return a.ID < b.ID },
		"name":    func(a, b podRow) bool { return a.Name < b.Name },
		"number":  func(a, b podRow) bool { return a.NumberOfContainers < b.NumberOfContainers },
		"status":  func(a, b podRow) bool { return a.Status < b.Status },
	}[by]
	if less == nil {
		return usageErrorf("--sort %q: created, id, name, number or status", by)
	}
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	return nil
}

// podInspect is pod pods inspect's object: Podman's keys.
type podInspect struct {
	ID               string             `json:"Id"`
	Name             string             `json:"Name"`
	Created          time.Time          `json:"Created"`
	CreateCommand    []string           `json:"CreateCommand,omitempty"`
	ExitPolicy       string             `json:"ExitPolicy"`
	State            string             `json:"State"`
	Hostname         string             `json:"Hostname"`
	Labels           map[string]string  `json:"Labels"`
	CreateInfra      bool               `json:"CreateInfra"`
	InfraContainerID string             `json:"InfraContainerID,omitempty"`
	InfraConfig      *podInfraConfig    `json:"InfraConfig,omitempty"`
	SharedNamespaces []string           `json:"SharedNamespaces"`
	NumContainers    int                `json:"NumContainers"`
	Containers       []podInspectMember `json:"Containers"`
}

// Id answers Podman's template name.
func (p podInspect) Id() string { return p.ID } //nolint:revive // Podman's key

type podInfraConfig struct {
	PortBindings       map[string][]container.InspectPortBinding `json:"PortBindings"`
	HostNetwork        bool                                      `json:"HostNetwork"`
	StaticIP           string                                    `json:"StaticIP"`
	StaticMAC          string                                    `json:"StaticMAC"`
	NoManageResolvConf bool                                      `json:"NoManageResolvConf"`
	DNSServer          []string                                  `json:"DNSServer"`
	DNSSearch          []string                                  `json:"DNSSearch"`
	DNSOption          []string                                  `json:"DNSOption"`
	NoManageHosts      bool                                      `json:"NoManageHosts"`
	HostAdd            []string                                  `json:"HostAdd"`
	Networks           []string                                  `json:"Networks"`
}

type podInspectMember struct {
	ID    string `json:"Id"`
	Name  string `json:"Name"`
	State string `json:"State"`
}

func inspectPod(pi lifecycle.PodInfo) podInspect {
	d := podInspect{ID: pi.ID, Name: pi.Name, Created: pi.Created, CreateCommand: pi.CreateCommand, ExitPolicy: pi.ExitPolicy,
		State: pi.Status(), Hostname: pi.Hostname, Labels: pi.Labels, CreateInfra: pi.InfraID != "",
		InfraContainerID: pi.InfraID, SharedNamespaces: pi.Share, NumContainers: len(pi.Containers),
		Containers: []podInspectMember{}}
	if d.Labels == nil {
		d.Labels = map[string]string{}
	}
	for _, c := range pi.Containers {
		d.Containers = append(d.Containers, podInspectMember{ID: c.Config.ID, Name: c.Config.Name, State: ctrState(c)})
	}
	if infra := pi.Infra(); infra != nil {
		c := infra.Config
		if pi.Shares("uts") {
			d.Hostname = c.Hostname
		}
		ic := &podInfraConfig{PortBindings: container.PortMap(c.Ports), HostNetwork: c.NetworkMode == "host",
			DNSServer: c.DNS, DNSSearch: c.DNSSearch, DNSOption: c.DNSOptions, NoManageHosts: c.NoHosts, HostAdd: c.ExtraHosts}
		for _, n := range c.Networks {
			ic.Networks = append(ic.Networks, n.Name)
		}
		d.InfraConfig = ic
	}
	return d
}

func newPodInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	var latest bool
	cmd := &cobra.Command{
		Use:   "inspect [flags] POD [POD...]",
		Short: "Show details of pods",
		Long:  "Show details of pods as JSON (one pod: an object, as Podman 4's; several: an array), or with a Go template.",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, targets, err := podTargets(cmd, g, args, false, latest)
			if err != nil {
				return err
			}
			items, err := collectTargets(cmd, targets, func(ref string) (any, error) {
				pi, err := h.Pod(cmd.Context(), ref)
				if err != nil {
					return nil, err
				}
				return inspectPod(pi), nil
			})
			if len(targets) == 1 && len(items) == 1 && (format == "" || format == "json") {
				if werr := writeJSON(cmd.OutOrStdout(), items[0]); werr != nil {
					return werr
				}
				return err
			}
			return printInspect(cmd, format, items, err)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "inspect the pod created last")
	return cmd
}

// podTargets are the pods a command names: its arguments, --all's every
// pod, --latest's newest, and the IDs in --pod-id-file files.
func podTargets(cmd *cobra.Command, g *globalOptions, args []string, all, latest bool, idFiles ...string) (*lifecycle.Host, []string, error) {
	for _, f := range idFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, usageErrorf("--pod-id-file: %v", err)
		}
		if id := strings.TrimSpace(string(b)); id != "" {
			args = append(args, id)
		}
	}
	given := len(args) > 0
	if (all || latest) && given || all && latest {
		return nil, nil, usageErrorf("give pods, --all or --latest: only one of them")
	}
	if !all && !latest && !given {
		return nil, nil, usageErrorf("name at least one pod (or --all, --latest)")
	}
	h, err := g.host()
	if err != nil {
		return nil, nil, err
	}
	if all || latest {
		list, err := h.ListPods(cmd.Context())
		if err != nil {
			return nil, nil, err
		}
		if latest && len(list) == 0 {
			return nil, nil, fmt.Errorf("%w: --latest names the pod created last, and there is none", pods.ErrNoSuchPod)
		}
		if latest {
			list = list[len(list)-1:]
		}
		for _, pi := range list {
			args = append(args, pi.ID)
		}
	}
	return h, args, nil
}

// newPodVerbCommand is start, stop, restart, kill or rm of pods: each
// prints the pod's ID, as Podman's.
func newPodVerbCommand(g *globalOptions, verb, short string) *cobra.Command {
	var all, latest, ignore, force bool
	var idFiles []string
	var timeout int
	var signal string
	cmd := &cobra.Command{
		Use:   verb + " [flags] POD [POD...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			var sig syscall.Signal
			if verb == "kill" {
				var err error
				if sig, err = container.ParseSignal(signal); err != nil {
					return usageErrorf("--signal: %v", err)
				}
			}
			h, targets, err := podTargets(cmd, g, args, all, latest, idFiles...)
			if err != nil {
				return err
			}
			var t *int
			if cmd.Flags().Changed("time") {
				t = &timeout
			}
			ctx := cmd.Context()
			return eachTargetAtOnce(cmd, targets, func(ref string) (string, error) {
				p, err := podVerb(ctx, h, verb, ref, t, sig, force, ignore)
				if p == nil || err != nil {
					return "", err
				}
				return p.ID, nil
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&all, "all", "a", false, verb+" every pod")
	fl.BoolVarP(&latest, "latest", "l", false, verb+" the pod created last")
	switch verb {
	case "start", "stop", "rm":
		fl.StringArrayVar(&idFiles, "pod-id-file", nil, "read the pod's ID from this file")
	}
	switch verb {
	case "stop", "rm":
		fl.BoolVarP(&ignore, "ignore", "i", false, "a pod that does not exist is no error")
		fl.IntVarP(&timeout, "time", "t", 10, "seconds to wait for each container to stop before killing it")
	case "restart":
		fl.IntVarP(&timeout, "time", "t", 10, "seconds to wait for each container to stop before killing it")
	case "kill":
		fl.StringVarP(&signal, "signal", "s", "KILL", "the signal to send")
	}
	if verb == "rm" {
		fl.BoolVarP(&force, "force", "f", false, "stop running containers first")
	}
	return cmd
}

// podVerb does verb to one pod; a nil pod with no error is one --ignore
// passed over.
func podVerb(ctx context.Context, h *lifecycle.Host, verb, ref string, t *int, sig syscall.Signal, force, ignore bool) (*pods.Pod, error) {
	switch verb {
	case "start":
		return h.StartPod(ctx, ref)
	case "stop":
		p, err := h.StopPod(ctx, ref, lifecycle.StopOptions{Timeout: t})
		if ignore && errors.Is(err, pods.ErrNoSuchPod) {
			return nil, nil
		}
		return p, err
	case "restart":
		if _, err := h.StopPod(ctx, ref, lifecycle.StopOptions{Timeout: t}); err != nil {
			return nil, err
		}
		return h.StartPod(ctx, ref)
	case "kill":
		return h.KillPod(ctx, ref, sig)
	case "pause", "unpause":
		return h.PausePod(ctx, ref, verb == "unpause")
	}
	id, err := h.RemovePod(ctx, ref, lifecycle.PodRemoveOptions{Force: force, Ignore: ignore, Time: t})
	if id == "" || err != nil {
		return nil, err
	}
	return &pods.Pod{ID: id}, nil
}

func newPodPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove every pod none of whose containers runs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !force && !confirm(cmd.InOrStdin(), cmd.OutOrStdout(), "WARNING! This will remove all stopped/exited pods..") {
				return nil
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			removed, err := h.PrunePods(cmd.Context())
			for _, id := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), id)
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation")
	return cmd
}

func newPodTopCommand(g *globalOptions) *cobra.Command {
	var latest bool
	cmd := &cobra.Command{
		Use:   "top POD [ps OPTIONS]",
		Short: "Display the running processes of a pod's containers",
		Long:  "Display the running processes of every running container of a pod, as the host's ps shows them (default: ps -ef).",
		RunE: func(cmd *cobra.Command, args []string) error {
			var ref []string
			if !latest {
				if len(args) == 0 {
					return usageErrorf("name a pod (or --latest)")
				}
				ref, args = args[:1], args[1:]
			}
			h, targets, err := podTargets(cmd, g, ref, false, latest)
			if err != nil {
				return err
			}
			pi, err := h.Pod(cmd.Context(), targets[0])
			if err != nil {
				return err
			}
			var out strings.Builder
			for _, r := range pi.Containers {
				if !r.Running() {
					continue
				}
				s, err := container.Top(r, args)
				if err != nil {
					return err
				}
				if out.Len() > 0 {
					_, s, _ = strings.Cut(s, "\n") // one header
				}
				out.WriteString(s)
			}
			if out.Len() == 0 {
				return container.WithExitCode(125, fmt.Errorf("pod %s has no running container: %w", pi.Name, container.ErrNotRunning))
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out.String())
			return err
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVarP(&latest, "latest", "l", false, "the pod created last")
	return cmd
}

func newPodExistsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "exists POD",
		Short: "Exit 0 if the pod exists, 1 if not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			if _, err := h.Pod(cmd.Context(), args[0]); err != nil {
				if errors.Is(err, pods.ErrNoSuchPod) {
					return container.ExitStatus(1)
				}
				return err
			}
			return nil
		},
	}
}

// podIDFromFile reads run's and create's --pod-id-file.
func podIDFromFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", usageErrorf("--pod-id-file: %v", err)
	}
	id := strings.TrimSpace(string(b))
	if id == "" {
		return "", usageErrorf("--pod-id-file %s holds no pod ID", path)
	}
	return id, nil
}

// ctrState is a pod's container's state in Podman's words.
func ctrState(r *container.Record) string {
	if r.State.Status == container.StatusRunning && !r.Running() {
		return string(container.StatusExited)
	}
	return string(r.State.Status)
}

func newPodLogsCommand(g *globalOptions) *cobra.Command {
	var lf logsFlags
	var ctr string
	var latest bool
	cmd := &cobra.Command{
		Use:   "logs [flags] POD",
		Short: "Fetch the logs of a pod's containers, each line led by its container",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := lf.options()
			if err != nil {
				return err
			}
			h, targets, err := podTargets(cmd, g, args, false, latest)
			if err != nil {
				return err
			}
			pi, err := h.Pod(cmd.Context(), targets[0])
			if err != nil {
				return err
			}
			var recs []*container.Record
			for _, r := range pi.Containers {
				if r.Config.Infra || ctr != "" && r.Config.Name != ctr && !strings.HasPrefix(r.Config.ID, ctr) {
					continue
				}
				recs = append(recs, r)
			}
			if len(recs) == 0 {
				if ctr != "" {
					return fmt.Errorf("pod %s has no container %s: %w", pi.Name, ctr, container.ErrNoSuchContainer)
				}
				return nil
			}
			return readManyLogs(cmd.Context(), recs, o, logPrefixes(recs, lf.names, lf.color), cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fl := cmd.Flags()
	lf.register(fl)
	fl.BoolVarP(&lf.names, "names", "n", false, "start each line with its container's name (not its short ID)")
	fl.StringVar(&lf.tail, "tail", "all", "number of lines to show from the end of each container's log")
	fl.StringVarP(&ctr, "container", "c", "", "only this container of the pod (name or ID)")
	fl.BoolVarP(&latest, "latest", "l", false, "the pod created last")
	return cmd
}
