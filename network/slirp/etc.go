package slirp

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
)

// HostsOptions say what goes into a container's /etc/hosts.
type HostsOptions struct {
	// Hostname and Name (the container's) map to the container's address,
	// Domainname qualifies the host name.
	Hostname, Name, Domainname string
	// Address is the container's address ("" uses 127.0.1.1).
	Address string
	// ExtraHosts are --add-host NAME:IP entries.
	ExtraHosts []string
	// HostGateway is the host as seen from the container, for
	// host.containers.internal and host.docker.internal ("" leaves them out:
	// host loopback access is not allowed).
	HostGateway string
}

// Hosts is the content of a container's /etc/hosts.
func Hosts(o HostsOptions) string {
	var b strings.Builder
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	for _, h := range o.ExtraHosts {
		name, ip, _ := splitExtraHost(h)
		fmt.Fprintf(&b, "%s\t%s\n", ip, name)
	}
	if o.HostGateway != "" {
		fmt.Fprintf(&b, "%s\thost.containers.internal host.docker.internal\n", o.HostGateway)
	}
	addr := o.Address
	if addr == "" {
		addr = "127.0.1.1"
	}
	names := []string{}
	if o.Domainname != "" && o.Hostname != "" {
		names = append(names, o.Hostname+"."+o.Domainname)
	}
	for _, n := range []string{o.Hostname, o.Name} {
		if n != "" && !contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		fmt.Fprintf(&b, "%s\t%s\n", addr, strings.Join(names, " "))
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// splitExtraHost splits NAME:IP (IP may be IPv6 and contain colons; Docker
// also takes NAME=IP).
func splitExtraHost(s string) (name, ip string, ok bool) {
	if n, i, found := strings.Cut(s, "="); found {
		return n, strings.Trim(i, "[]"), true
	}
	name, ip, ok = strings.Cut(s, ":")
	return name, strings.Trim(ip, "[]"), ok
}

// ParseExtraHosts checks --add-host values: NAME:IP, or NAME:host-gateway.
func ParseExtraHosts(hosts []string) error {
	for _, h := range hosts {
		name, ip, ok := splitExtraHost(h)
		if !ok || name == "" {
			return fmt.Errorf("invalid --add-host %q: use NAME:IP", h)
		}
		if ip != "host-gateway" && net.ParseIP(ip) == nil {
			return fmt.Errorf("invalid --add-host %q: %q is not an IP address", h, ip)
		}
	}
	return nil
}

// ResolveExtraHosts replaces host-gateway by gateway in NAME:IP entries.
func ResolveExtraHosts(hosts []string, gateway string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		name, ip, _ := splitExtraHost(h)
		if ip == "host-gateway" {
			ip = gateway
		}
		if ip != "" {
			out = append(out, name+":"+ip)
		}
	}
	return out
}

// ResolvOptions say how a container's /etc/resolv.conf differs from the
// host's.
type ResolvOptions struct {
	// DNS, Search and Options replace the host's (--dns, --dns-search,
	// --dns-option); a Search of "." clears the search list.
	DNS, Search, Options []string
	// Forwarder replaces the host's loopback resolvers, which the
	// container cannot reach ("" drops them).
	Forwarder string
}

// ResolvConf is a container's /etc/resolv.conf made from the host's.
func ResolvConf(host []byte, o ResolvOptions) []byte {
	var servers, search, options []string
	sc := bufio.NewScanner(bytes.NewReader(host))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || strings.HasPrefix(f[0], "#") || strings.HasPrefix(f[0], ";") {
			continue
		}
		switch f[0] {
		case "nameserver":
			ip := net.ParseIP(f[1])
			if ip != nil && ip.IsLoopback() {
				if o.Forwarder != "" && !contains(servers, o.Forwarder) {
					servers = append(servers, o.Forwarder)
				}
				continue
			}
			servers = append(servers, f[1])
		case "search", "domain":
			search = f[1:]
		case "options":
			options = append(options, f[1:]...)
		}
	}
	if len(o.DNS) > 0 {
		servers = o.DNS
	} else if len(servers) == 0 && o.Forwarder != "" {
		servers = []string{o.Forwarder}
	}
	if len(o.Search) > 0 {
		search = o.Search
		if len(search) == 1 && search[0] == "." {
			search = nil
		}
	}
	if len(o.Options) > 0 {
		options = o.Options
	}
	var b bytes.Buffer
	if len(search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(search, " "))
	}
	for _, s := range servers {
		fmt.Fprintf(&b, "nameserver %s\n", s)
	}
	if len(options) > 0 {
		fmt.Fprintf(&b, "options %s\n", strings.Join(options, " "))
	}
	return b.Bytes()
}
