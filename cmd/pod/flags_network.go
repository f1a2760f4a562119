package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/network"
	"github.com/pod-project/pod/network/slirp"
)

// networkFlags are run's (and create's) network flags.
type networkFlags struct {
	network                      string
	aliases                      []string
	publish, expose              []string
	publishAll                   bool
	dns, dnsSearch, dnsOpt, host []string
	domainname                   string
}

func (f *networkFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.network, "network", "", "network mode: pasta[:OPTS], slirp4netns[:OPTS], none, host, container:NAME|ID, ns:PATH, or a network's name (default: pasta, else slirp4netns)")
	fs.StringArrayVar(&f.aliases, "network-alias", nil, "another name of the container on its user-defined network")
	fs.StringArrayVarP(&f.publish, "publish", "p", nil, "publish a container's port to the host: [IP:][HOSTPORT:]CTRPORT[/tcp|udp], ranges allowed")
	fs.BoolVarP(&f.publishAll, "publish-all", "P", false, "publish every exposed port to a free host port")
	fs.StringArrayVar(&f.expose, "expose", nil, "expose a port or range (PORT[-PORT][/PROTO]) for -P")
	fs.StringArrayVar(&f.dns, "dns", nil, "set a DNS server in /etc/resolv.conf")
	fs.StringArrayVar(&f.dnsSearch, "dns-search", nil, "set a DNS search domain (\".\" for none)")
	fs.StringArrayVar(&f.dnsOpt, "dns-option", nil, "set a resolver option in /etc/resolv.conf")
	fs.StringArrayVar(&f.host, "add-host", nil, "add a line to /etc/hosts (NAME:IP, IP may be host-gateway)")
	fs.StringVar(&f.domainname, "domainname", "", "container NIS domain name, also used in /etc/hosts")
}

// apply checks the flags and sets cfg's network fields; -P's ports are
// chosen by complete, once the image is known.
func (f *networkFlags) apply(cfg *container.Config) error {
	mode, opts, err := slirp.ParseMode(f.network)
	if err != nil && network.CheckName(f.network) == nil {
		// A user-defined network's name: lifecycle checks it exists.
		mode, err = f.network, nil
		cfg.Networks = []container.NetworkAttachment{{Name: f.network, Aliases: f.aliases}}
	}
	if err != nil {
		return usageErrorf("%v", err)
	}
	if len(f.aliases) > 0 && len(cfg.Networks) == 0 {
		return usageErrorf("--network-alias needs a user-defined network (--network NAME)")
	}
	for _, a := range f.aliases {
		if err := container.CheckHostName("--network-alias", a); err != nil {
			return usageErrorf("%v", err)
		}
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
	if (len(cfg.Ports) > 0 || f.publishAll) && len(cfg.Networks) > 0 {
		return usageErrorf("--publish on user-defined network %s: not built yet; publish from a container with its own network (the default, pasta or slirp4netns)", mode)
	}
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
}
