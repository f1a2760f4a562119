package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/lifecycle"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/storage"
)

// newNetworkCommand groups the user-defined network commands.
func newNetworkCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Manage user-defined networks",
		Long: "User-defined networks are bridges in one network namespace per user, linked to the\n" +
			"host by one pasta (else slirp4netns); containers on a network reach each other.",
	}
	cmd.AddCommand(
		newNetworkCreateCommand(g),
		newNetworkLsCommand(g),
		newNetworkInspectCommand(g),
		newNetworkRmCommand(g),
		newNetworkPruneCommand(g),
		newNetworkExistsCommand(g),
		newNetworkConnectCommand(g),
		newNetworkDisconnectCommand(g),
		newNetworkReloadCommand(g),
	)
	return cmd
}

func newNetworkCreateCommand(g *globalOptions) *cobra.Command {
	var o network.CreateOptions
	var driver, ipamDriver string
	var labels, opts []string
	var ignore bool
	cmd := &cobra.Command{
		Use:   "create [flags] NAME",
		Short: "Create a network",
		Long: "Create a bridge network. Without --subnet the first free 10.89.N.0/24 is used\n" +
			"(with --ipv6 also a unique local /64); a subnet may not overlap another network's\n" +
			"or a route of the host's.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Name = args[0]
			if driver != network.DriverBridge {
				return usageErrorf("--driver %q: pod's networks are bridges (--driver bridge)", driver)
			}
			var err error
			if o.Labels, err = container.ParseLabels(labels); err != nil {
				return usageErrorf("%v", err)
			}
			if o.Options, err = parseDriverOptions(opts); err != nil {
				return err
			}
			if ipamDriver != "" && ipamDriver != "host-local" {
				return usageErrorf("--ipam-driver %s: pod gives addresses from the network's subnets itself (host-local); dhcp and none are not supported", ipamDriver)
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			n, err := h.CreateNetwork(o)
			if errors.Is(err, network.ErrExists) && ignore {
				fmt.Fprintln(cmd.OutOrStdout(), o.Name)
				return nil
			}
			if err != nil {
				return container.WithExitCode(125, err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), n.Name)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&driver, "driver", "d", network.DriverBridge, "driver (only bridge)")
	f.StringVar(&ipamDriver, "ipam-driver", "", "how addresses are given: host-local (the only one)")
	f.StringArrayVar(&o.Subnets, "subnet", nil, "subnet in CIDR notation (repeat for IPv4 and IPv6)")
	f.StringArrayVar(&o.Gateways, "gateway", nil, "gateway of the n-th --subnet")
	f.StringArrayVar(&o.IPRanges, "ip-range", nil, "addresses of the n-th --subnet given to containers: CIDR or START-END")
	f.BoolVar(&o.IPv6, "ipv6", false, "add an IPv6 subnet (dual stack)")
	f.BoolVar(&o.Internal, "internal", false, "no route out of the network")
	f.BoolVar(&o.DisableDNS, "disable-dns", false, "no name resolution on the network")
	f.StringArrayVarP(&opts, "opt", "o", nil, "driver option KEY=VALUE: mtu")
	f.StringArrayVar(&labels, "label", nil, "set metadata on the network (KEY=VALUE)")
	f.BoolVar(&ignore, "ignore", false, "do nothing if the network exists already")
	return cmd
}

// networkRow is one line of `pod network ls`.
type networkRow struct {
	ID, Name, Driver, Subnets string
	Internal, DNSEnabled      bool
	Labels                    map[string]string
}

var networkHeaders = map[string]string{
	".ID": "NETWORK ID", ".Name": "NAME", ".Driver": "DRIVER", ".Subnets": "SUBNETS",
}

func newNetworkLsCommand(g *globalOptions) *cobra.Command {
	var quiet, noTrunc, noHeading bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [flags]",
		Aliases: []string{"list"},
		Short:   "List networks",
		Long:    "List networks. Filters: name=, id=, label=KEY[=VALUE], driver=bridge.",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			match, err := networkFilter(filters, "name", "id", "label", "driver")
			if err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			all, err := h.Networks().List()
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			rows := make([]any, 0, len(all))
			for _, n := range all {
				if !match(n) {
					continue
				}
				if quiet {
					fmt.Fprintln(w, n.Name)
					continue
				}
				var subnets []string
				for _, s := range n.Subnets {
					subnets = append(subnets, s.Subnet.String())
				}
				id := n.ID
				if !noTrunc {
					id = container.ShortID(n.ID)
				}
				rows = append(rows, networkRow{ID: id, Name: n.Name, Driver: n.Driver,
					Subnets: strings.Join(subnets, ","), Internal: n.Internal, DNSEnabled: n.DNSEnabled, Labels: n.Labels})
			}
			if quiet {
				return nil
			}
			return output{format: format, headers: networkHeaders, defaultTable: `{{.ID}}\t{{.Name}}\t{{.Driver}}`, noHeading: noHeading}.write(w, rows)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&noTrunc, "no-trunc", false, "show full network IDs")
	fl.BoolVar(&noHeading, "noheading", false, "do not print the header row")
	fl.BoolVarP(&quiet, "quiet", "q", false, "only show network names")
	fl.StringVar(&format, "format", "", "format the output: table, table TEMPLATE, json, or a Go template")
	fl.StringArrayVarP(&filters, "filter", "f", nil, "filter output (name=, id=, label=, driver=)")
	return cmd
}

// networkFilter checks ls's --filter values; values of one key are ORed,
// keys ANDed.
// networkFilter parses the filters of network ls (name=, id=, label=,
// driver=) or of network prune (label=, label!=, until=), whichever keys
// allows: values of one key are OR-ed, keys AND-ed.
func networkFilter(filters []string, allowed ...string) (func(network.Network) bool, error) {
	byKey := map[string][]string{}
	var until time.Time
	for _, f := range filters {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case !ok:
			return nil, usageErrorf("--filter %q: use KEY=VALUE", f)
		case !slices.Contains(allowed, k):
			return nil, usageErrorf("--filter %q: filter by %s=", f, strings.Join(allowed, "=, "))
		case k == "until":
			t, err := storage.ParseUntil(v, time.Now())
			if err != nil {
				return nil, usageErrorf("--filter %q: %v", f, err)
			}
			until = t
		}
		byKey[k] = append(byKey[k], v)
	}
	hasLabel := func(n network.Network, v string) bool {
		lk, lv, hasValue := strings.Cut(v, "=")
		got, has := n.Labels[lk]
		return has && (!hasValue || got == lv)
	}
	return func(n network.Network) bool {
		for k, vs := range byKey {
			hit := false
			for _, v := range vs {
				switch k {
				case "name":
					hit = hit || strings.Contains(n.Name, v)
				case "id":
					hit = hit || strings.HasPrefix(n.ID, v)
				case "driver":
					hit = hit || n.Driver == v
				case "label":
					hit = hit || hasLabel(n, v)
				case "label!":
					hit = hit || !hasLabel(n, v)
				case "until":
					hit = n.Created.Before(until)
				}
			}
			if !hit {
				return false
			}
		}
		return true
	}, nil
}

func newNetworkInspectCommand(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "inspect [flags] NETWORK [NETWORK...]",
		Short: "Show details of networks",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			items, err := collectTargets(cmd, args, func(ref string) (any, error) {
				return h.InspectNetwork(ref)
			})
			return printInspect(cmd, format, items, err)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "", "format the output with a Go template, or json")
	return cmd
}

func newNetworkRmCommand(g *globalOptions) *cobra.Command {
	var force bool
	var stopTime int
	cmd := &cobra.Command{
		Use:     "rm [flags] NETWORK [NETWORK...]",
		Aliases: []string{"remove"},
		Short:   "Remove networks",
		Long:    "Remove networks. A network containers are on is refused unless -f, which removes them first.",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			var t *int
			if cmd.Flags().Changed("time") {
				t = &stopTime
			}
			return eachTarget(cmd, args, func(ref string) (string, error) {
				return h.RemoveNetwork(cmd.Context(), ref, force, t)
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "remove the containers on the networks first")
	cmd.Flags().IntVarP(&stopTime, "time", "t", 0, "with --force, seconds to wait for a running container's stop signal before killing it (default: kill at once)")
	return cmd
}

func newNetworkPruneCommand(g *globalOptions) *cobra.Command {
	var force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [flags]",
		Short: "Remove every network no container is on",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			match, err := networkFilter(filters, "label", "label!", "until")
			if err != nil {
				return err
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			removed, err := h.PruneNetworks(cmd.Context(), match)
			for _, n := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), n)
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "do not ask for confirmation (pod never asks)")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "only prune networks that match (label=, label!=, until=)")
	return cmd
}

func newNetworkExistsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "exists NETWORK",
		Short: "Exit 0 if the network exists, 1 if not",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			if _, err := h.Networks().Get(args[0]); err != nil {
				if errors.Is(err, network.ErrNoSuchNetwork) {
					return container.ExitStatus(1)
				}
				return err
			}
			return nil
		},
	}
}

func newNetworkConnectCommand(g *globalOptions) *cobra.Command {
	var o lifecycle.ConnectOptions
	var ip, ip6 string
	cmd := &cobra.Command{
		Use:   "connect [flags] NETWORK CONTAINER",
		Short: "Connect a container to a network",
		Long:  "Connect a container to a user-defined network: now if it runs, and at its next starts.",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, a := range o.Aliases {
				if err := container.CheckHostName("--alias", a); err != nil {
					return usageErrorf("%v", err)
				}
			}
			for _, v := range []string{ip, ip6} {
				if v != "" {
					o.IPs = append(o.IPs, v)
				}
			}
			if o.MAC != "" {
				if _, err := net.ParseMAC(o.MAC); err != nil {
					return usageErrorf("--mac-address %q: %v", o.MAC, err)
				}
			}
			h, err := g.host()
			if err != nil {
				return err
			}
			return h.Connect(cmd.Context(), args[0], args[1], o)
		},
	}
	cmd.Flags().StringArrayVar(&o.Aliases, "alias", nil, "another name of the container on the network")
	cmd.Flags().StringVar(&ip, "ip", "", "the container's IPv4 address on the network")
	cmd.Flags().StringVar(&ip6, "ip6", "", "the container's IPv6 address on the network")
	cmd.Flags().StringVar(&o.MAC, "mac-address", "", "the container's MAC address on the network")
	return cmd
}

func newNetworkDisconnectCommand(g *globalOptions) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "disconnect [flags] NETWORK CONTAINER",
		Short: "Disconnect a container from a network",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			return h.Disconnect(cmd.Context(), args[0], args[1])
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "accepted for Docker's and Podman's scripts (pod never waits)")
	return cmd
}

func newNetworkReloadCommand(g *globalOptions) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "reload [flags] CONTAINER...",
		Short: "Link running containers to their networks again",
		Long: "Make again what is missing of running containers' links to their user-defined networks:\n" +
			"the rootless network namespace's holder, the bridges and their rules, the links.",
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := g.host()
			if err != nil {
				return err
			}
			if all == (len(args) > 0) {
				return usageErrorf("pod network reload needs containers, or --all")
			}
			if all {
				recs, err := h.List(cmd.Context(), lifecycle.ListOptions{})
				if err != nil {
					return err
				}
				for _, r := range recs {
					if r.Running() && len(r.Config.Networks) > 0 {
						args = append(args, r.Config.ID)
					}
				}
			}
			return eachTarget(cmd, args, func(target string) (string, error) {
				return h.ReloadNetworks(cmd.Context(), target)
			})
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "every running container on a user-defined network")
	return cmd
}
