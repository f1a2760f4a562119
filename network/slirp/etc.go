package slirp

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strings"
	"unicode"

	"github.com/pod-project/pod/container"
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

// Hosts is the content of a container's /etc/hosts. The values were
// checked when the container was made; one that would not be one word of
// a line (a record of an older pod) is left out.
func Hosts(o HostsOptions) string {
	var b strings.Builder
	// --add-host's entries first, as Podman writes them: the first line
	// for a name wins, so they can override the rest.
	b.WriteString(ExtraHostLines(o.ExtraHosts))
	b.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	if o.HostGateway != "" {
		fmt.Fprintf(&b, "%s\thost.containers.internal host.docker.internal\n", o.HostGateway)
	}
	addr := o.Address
	if addr == "" {
		addr = "127.0.1.1"
	}
	names := []string{}
	if oneWord(o.Domainname) && oneWord(o.Hostname) {
		names = append(names, o.Hostname+"."+o.Domainname)
	}
	for _, n := range []string{o.Hostname, o.Name} {
		if oneWord(n) && !contains(names, n) {
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
	name, ip, ok = strings.Cut(s, "=")
	if !ok {
		name, ip, ok = strings.Cut(s, ":")
	}
	if len(ip) > 2 && ip[0] == '[' && ip[len(ip)-1] == ']' {
		ip = ip[1 : len(ip)-1]
	}
	return name, ip, ok
}

// ParseExtraHosts checks --add-host values: NAME:IP (or NAME=IP, IPv6 in
// brackets or not), IP being an address or host-gateway (Docker's rule),
// NAME a host name (container.CheckHostsName), so that each value is one
// line of /etc/hosts.
func ParseExtraHosts(hosts []string) error {
	for _, h := range hosts {
		name, ip, ok := splitExtraHost(h)
		if !ok || name == "" {
			return fmt.Errorf("invalid --add-host %q: use NAME:IP", h)
		}
		if err := container.CheckHostsName("--add-host", name); err != nil {
			return err
		}
		if ip != "host-gateway" && net.ParseIP(ip) == nil {
			return fmt.Errorf("invalid --add-host %q: %q is not an IP address (nor host-gateway)", h, ip)
		}
	}
	return nil
}

// ParseDNS checks --dns values as Docker does (each an IP address) and
// returns them in their canonical form.
func ParseDNS(servers []string) ([]string, error) {
	out := make([]string, 0, len(servers))
	for _, s := range servers {
		ip := net.ParseIP(s)
		if hasControl(s) || ip == nil {
			return nil, fmt.Errorf("invalid --dns %q: a DNS server is an IP address", s)
		}
		out = append(out, ip.String())
	}
	return nilIfEmpty(out), nil
}

// dnsDomain is Docker's rule for a --dns-search domain: dot-separated
// labels of letters, digits and inner '-', with a trailing dot allowed.
var dnsDomain = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*\.?$`)

// ParseDNSSearch checks --dns-search values as Docker does: "." (no
// search list), or a domain name with at least one letter, shorter than
// 255 bytes.
func ParseDNSSearch(domains []string) ([]string, error) {
	out := make([]string, 0, len(domains))
	for _, d := range domains {
		if d != "." && (!dnsDomain.MatchString(d) || len(d) >= 255 || !strings.ContainsFunc(d, isLetter)) {
			return nil, fmt.Errorf("invalid --dns-search %q: use a domain name (letters, digits, '-' and '.'), or . for none", d)
		}
		out = append(out, d)
	}
	return nilIfEmpty(out), nil
}

// ParseDNSOptions checks --dns-option values: each one word of the
// resolver's options line (ndots:2, rotate, edns0...).
func ParseDNSOptions(opts []string) ([]string, error) {
	for _, o := range opts {
		if o == "" || strings.ContainsFunc(o, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			return nil, fmt.Errorf("invalid --dns-option %q: a resolver option is one word without spaces (ndots:2, rotate, edns0...)", o)
		}
	}
	return opts, nil
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

func hasControl(s string) bool { return strings.ContainsFunc(s, unicode.IsControl) }

// oneWord reports whether s can be written as one field of a line of
// /etc/hosts or /etc/resolv.conf.
func oneWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '#' })
}

// words keeps the entries of list that are one word.
func words(list []string) []string {
	var out []string
	for _, s := range list {
		if oneWord(s) {
			out = append(out, s)
		}
	}
	return out
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// ExtraHostLines are /etc/hosts lines for --add-host's NAME:IP entries.
func ExtraHostLines(hosts []string) string {
	var b strings.Builder
	for _, h := range hosts {
		name, ip, _ := splitExtraHost(h)
		if oneWord(name) && oneWord(ip) {
			fmt.Fprintf(&b, "%s\t%s\n", ip, name)
		}
	}
	return b.String()
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

// ResolvConf is a container's /etc/resolv.conf made from the host's. As
// in Hosts, a value that is not one word is left out.
func ResolvConf(host []byte, o ResolvOptions) []byte {
	o.DNS, o.Search, o.Options = words(o.DNS), words(o.Search), words(o.Options)
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
