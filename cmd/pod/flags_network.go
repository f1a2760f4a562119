package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
)

// networkFlags are run's (and create's) network flags.
type networkFlags struct {
	networks, aliases            []string
	ip, ip6, mac                 string
	publish, expose              []string
	publishAll, noHosts          bool
	dns, dnsSearch, dnsOpt, host []string
	domainname                   string
}

func (f *networkFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.networks, "network", nil, "network mode: pasta[:OPTS], slirp4netns[:OPTS], none, host, container:NAME|ID, ns:PATH, or user-defined networks NAME[:ip=IP,ip6=IP,alias=NAME] (repeat for several; default: the network "+network.DefaultName+", bridge for short)")
	fs.StringArrayVar(&f.aliases, "network-alias", nil, "another name of the container on its user-defined network")
	fs.StringVar(&f.ip, "ip", "", "the container's IPv4 address on its user-defined network")
	fs.StringVar(&f.ip6, "ip6", "", "the container's IPv6 address on its user-defined network")
	fs.StringVar(&f.mac, "mac-address", "", "the container's MAC address on its user-defined network")
	fs.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a container's port to the host: [IP:][HOSTPORT:]CTRPORT[/tcp|udp], ranges allowed")
	fs.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish every exposed port to a free host port")
	fs.StringArrayVar(&f.expose, "expose", nil, "expose a port or range (PORT[-PORT][/PROTO]) for -P")
	fs.StringArrayVar(&f.dns, "dns", nil, "set a DNS server in /etc/resolv.conf")
	fs.StringArrayVar(&f.dnsSearch, "dns-search", nil, "set a DNS search domain (\".\" for none)")
	fs.StringArrayVar(&f.dnsOpt, "dns-option", nil, "set a resolver option in /etc/resolv.conf")
	fs.StringArrayVar(&f.host, "add-host", nil, "add a line to /etc/hosts (NAME:IP, IP may be host-gateway)")
	fs.StringVar(&f.domainname, "domainname", "", "container NIS domain name, also used in /etc/hosts")
	fs.BoolVar(&f.noHosts, "no-hosts", false, "leave the image's /etc/hosts alone: pod writes none")
	// Docker's spellings, hidden as Podman hides them.
	fs.StringArrayVar(&f.networks, "net", nil, "--network")
	fs.StringArrayVar(&f.dnsOpt, "dns-opt", nil, "--dns-option")
	_ = fs.MarkHidden("net")
	_ = fs.MarkHidden("dns-opt")
}

// apply checks the flags and sets cfg's network fields; -P's ports are
// chosen by complete, once the image is known.
func (f *networkFlags) apply(cfg *container.Config) error {
	mode, opts, err := f.mode(cfg)
	if err != nil {
		return err
	}
	cfg.NetworkMode, cfg.NetworkOptions = mode, opts
	if cfg.Ports, err = slirp.ParsePorts(f.publish); err != nil {
		return usageErrorf("--publish: %v", err)
	}
	if cfg.Expose, err = slirp.ParseExpose(f.expose); err != nil {
		return usageErrorf("%v", err)
	}
	if err := slirp.ParseExtraHosts(f.host); err != nil {
		return usageErrorf("%v", err)
	}
	if f.noHosts && len(f.host) > 0 {
		return usageErrorf("--no-hosts and --add-host cannot be used together: --add-host writes /etc/hosts")
	}
	cfg.NoHosts = f.noHosts
	if (len(cfg.Ports) > 0 || f.publishAll) && !slirp.IsPrivate(mode) && len(cfg.Networks) == 0 {
		return usageErrorf("--publish needs a network of the container's own (not --network %s)", mode)
	}
	if cfg.DNS, err = slirp.ParseDNS(f.dns); err != nil {
		return usageErrorf("%v", err)
	}
	if cfg.DNSSearch, err = slirp.ParseDNSSearch(f.dnsSearch); err != nil {
		return usageErrorf("%v", err)
	}
	if cfg.DNSOptions, err = slirp.ParseDNSOptions(f.dnsOpt); err != nil {
		return usageErrorf("%v", err)
	}
	if f.domainname != "" {
		if err := container.CheckDomainName("--domainname", f.domainname); err != nil {
			return usageErrorf("%v", err)
		}
	}
	cfg.ExtraHosts, cfg.Domainname = f.host, f.domainname
	return nil
}

// printNetwork is pod info's network section: the default user-mode
// stack and why the others were passed over.
func printNetwork(w io.Writer, c slirp.Choice) {
	fmt.Fprintln(w, "  network:")
	if c.Driver == "" {
		fmt.Fprintln(w, "    driver: none (no user-mode network stack works: containers of the default network run with loopback only, and cannot publish ports)")
	} else {
		fmt.Fprintf(w, "    driver: %s\n    path: %s\n", c.Driver, c.Path)
	}
	for _, s := range c.Skipped {
		fmt.Fprintf(w, "    skipped %s: %s\n", s.Name, s.Reason)
	}
	if c.Driver != "" {
		fmt.Fprintf(w, "    default: network %s, a bridge in the rootless network namespace with the user-defined networks' bridges, all linked to the host by one %s (published ports are relayed and the client's address is not kept: --network %s gives a container a stack of its own that keeps it)\n", network.DefaultName, c.Driver, c.Driver)
	}
	fmt.Fprintln(w, "    user-defined networks: bridges in one rootless network namespace, linked to the host by one stack of this driver")
}

// mode reads --network (and, for one user-defined network, --network-alias,
// --ip and --ip6): a mode of run's own, or user-defined networks, each
// NAME[:ip=IP,ip6=IP,alias=NAME...], whose names lifecycle checks exist.
func (f *networkFlags) mode(cfg *container.Config) (string, []string, error) {
	nets := make([]string, len(f.networks))
	for i, v := range f.networks {
		// The default network by Docker's name, with options or
		// beside others.
		if name, rest, ok := strings.Cut(v, ":"); name == "bridge" && (ok || len(f.networks) > 1) {
			v = network.DefaultName
			if ok {
				v += ":" + rest
			}
		}
		nets[i] = v
	}
	// --network-alias, --ip, --ip6 and --mac-address: for one network.
	perNetwork := len(f.aliases) > 0 || f.ip != "" || f.ip6 != "" || f.mac != ""
	if perNetwork {
		// On the default network, unless another is given.
		if len(nets) == 0 || (len(nets) == 1 && slirp.IsDefault(nets[0])) {
			nets = []string{network.DefaultName}
		}
	}
	if len(nets) == 0 || (len(nets) == 1 && !isUserNetwork(nets[0])) {
		v := ""
		if len(nets) == 1 {
			v = nets[0]
		}
		mode, opts, err := slirp.ParseMode(v)
		if err != nil {
			return "", nil, usageErrorf("%v", err)
		}
		if perNetwork {
			return "", nil, usageErrorf("--network-alias, --ip, --ip6 and --mac-address need a bridge network: the default one or --network NAME")
		}
		return mode, opts, nil
	}
	for _, v := range nets {
		a, err := parseUserNetwork(v)
		if err != nil {
			return "", nil, err
		}
		for _, b := range cfg.Networks {
			if b.Name == a.Name {
				return "", nil, usageErrorf("--network %s given twice", a.Name)
			}
		}
		cfg.Networks = append(cfg.Networks, a)
	}
	if perNetwork {
		if len(cfg.Networks) > 1 {
			return "", nil, usageErrorf("--network-alias, --ip, --ip6 and --mac-address are for one network: with several, give them in each --network NAME:alias=...,ip=...,mac=...")
		}
		a := &cfg.Networks[0]
		a.Aliases = append(a.Aliases, f.aliases...)
		if f.mac != "" {
			a.MAC = f.mac
		}
		for _, v := range []string{f.ip, f.ip6} {
			if v != "" {
				a.IPs = append(a.IPs, v)
			}
		}
	}
	for _, a := range cfg.Networks {
		for _, al := range a.Aliases {
			if err := container.CheckHostName("--network-alias", al); err != nil {
				return "", nil, usageErrorf("%v", err)
			}
		}
		for _, ip := range a.IPs {
			if _, err := netip.ParseAddr(ip); err != nil {
				return "", nil, usageErrorf("--ip %q on network %s: not an IP address", ip, a.Name)
			}
		}
		if a.MAC != "" {
			if hw, err := net.ParseMAC(a.MAC); err != nil || len(hw) != 6 || hw[0]&1 != 0 {
				return "", nil, usageErrorf("--mac-address %q on network %s: not a unicast Ethernet address (like 02:42:0a:59:00:05)", a.MAC, a.Name)
			}
		}
	}
	return cfg.Networks[0].Name, nil, nil
}

// isUserNetwork reports whether a --network value names a user-defined
// network rather than one of run's own modes.
func isUserNetwork(v string) bool {
	name, _, _ := strings.Cut(v, ":")
	return network.IsName(name)
}

// parseUserNetwork reads NAME[:ip=IP,ip6=IP,alias=NAME,...].
func parseUserNetwork(v string) (container.NetworkAttachment, error) {
	name, rest, _ := strings.Cut(v, ":")
	if !isUserNetwork(name) {
		return container.NetworkAttachment{}, usageErrorf("--network %q: several --network flags must all name user-defined networks", v)
	}
	a := container.NetworkAttachment{Name: name}
	if rest == "" {
		return a, nil
	}
	for _, o := range strings.Split(rest, ",") {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "ip", "ip6":
			a.IPs = append(a.IPs, val)
		case "alias":
			a.Aliases = append(a.Aliases, val)
		case "mac":
			a.MAC = val
		default:
			return a, usageErrorf("--network %s: unknown option %q (use ip=, ip6=, alias= or mac=)", name, k)
		}
	}
	return a, nil
}
