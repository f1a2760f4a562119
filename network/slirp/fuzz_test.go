package slirp

import (
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"

	"github.com/pod-project/pod/container"
)

// portSpec writes a mapping back as -p takes it.
func portSpec(m container.PortMapping) string {
	s := fmt.Sprintf("%d/%s", m.ContainerPort, m.Protocol)
	if m.HostPort != 0 || m.HostIP != "" {
		host := ""
		if m.HostPort != 0 {
			host = fmt.Sprint(m.HostPort)
		}
		s = host + ":" + s
	}
	if m.HostIP != "" {
		ip := m.HostIP
		if strings.Contains(ip, ":") {
			ip = "[" + ip + "]"
		}
		s = ip + ":" + s
	}
	return s
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"80", "8080:80", "127.0.0.1:8080:80/udp", "127.0.0.1::80", "[::1]:8080:80", "8080-8081:80-81/TCP",
		"8080-8082:80-81", "82-80", "70000", "0", "80/sctp", "1:2:3:4", "[::1:80", "x:80:80", "::1", "53/udp", ":80", "80-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ms, err := ParsePorts([]string{s})
		if err != nil {
			if !strings.Contains(err.Error(), "invalid port") {
				t.Fatalf("ParsePorts(%q): %v does not say what it refused", s, err)
			}
			return
		}
		if len(ms) == 0 {
			t.Fatalf("ParsePorts(%q): no mapping", s)
		}
		for i, m := range ms {
			if m.ContainerPort == 0 || (m.Protocol != "tcp" && m.Protocol != "udp") || (m.HostIP != "" && net.ParseIP(m.HostIP) == nil) {
				t.Fatalf("ParsePorts(%q)[%d] = %+v", s, i, m)
			}
			if i > 0 && (m.ContainerPort != ms[i-1].ContainerPort+1 || m.HostPort != 0 && m.HostPort != ms[i-1].HostPort+1) {
				t.Fatalf("ParsePorts(%q): a range that is not consecutive: %+v", s, ms)
			}
			// Each mapping reads back the same from its own spec.
			again, err := ParsePorts([]string{portSpec(m)})
			if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], m) {
				t.Fatalf("ParsePorts(%q)[%d] = %+v; its spec %q parses to %+v, %v", s, i, m, portSpec(m), again, err)
			}
		}
	})
}

func FuzzParseMode(f *testing.F) {
	for _, s := range []string{"", "none", "host", "pasta", "pasta:--no-map-gw,-4", "slirp4netns:allow_host_loopback=true,mtu=1500",
		"slirp4netns:bogus=1", "container:web", "container:", "ns:/proc/1/ns/net", "host:x", "bridge", "mynet"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mode, opts, err := ParseMode(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--network") {
				t.Fatalf("ParseMode(%q): %v does not name --network", s, err)
			}
			return
		}
		again, opts2, err := ParseMode(mode + optsSuffix(opts))
		if err != nil || again != mode || !reflect.DeepEqual(opts, opts2) {
			t.Fatalf("ParseMode(%q) = %q %q; again %q %q, %v", s, mode, opts, again, opts2, err)
		}
	})
}

func optsSuffix(opts []string) string {
	if len(opts) == 0 {
		return ""
	}
	return ":" + strings.Join(opts, ",")
}

// FuzzEtcValues: what --dns, --dns-search, --dns-option, --add-host,
// --hostname and --domainname accept is written as exactly the lines it
// should be, and nothing else: no value adds a line of its own.
func FuzzEtcValues(f *testing.F) {
	f.Add("1.1.1.1", "example.org", "ndots:2", "db:10.0.2.9", "h1", "example.org")
	f.Add("evil\nnameserver 1.2.3.4", "a\nb", "x y", "a\nb:1.2.3.4", "h\n1.2.3.4 evil", "d\ne")
	f.Add("2001:DB8::1", ".", "rotate", "v6=[::1]", strings.Repeat("a", 64), "")
	f.Add("::ffff:1.2.3.4", "example.org.", "edns0", "gw:host-gateway", "x_y", "a.b")
	f.Add("1.2.3.4 ", "-x", "#c", "#x:1.2.3.4", "-h", "#d")
	f.Fuzz(func(t *testing.T, dns, search, opt, host, hostname, domain string) {
		servers, err1 := ParseDNS([]string{dns})
		domains, err2 := ParseDNSSearch([]string{search})
		opts, err3 := ParseDNSOptions([]string{opt})
		err4 := ParseExtraHosts([]string{host})
		err5 := container.CheckHostName("--hostname", hostname)
		err6 := container.CheckDomainName("--domainname", domain)
		for _, err := range []error{err1, err2, err3, err4, err5, err6} {
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Fatalf("a message of several lines: %q", err)
			}
		}
		if err1 == nil && err2 == nil && err3 == nil {
			got := string(ResolvConf([]byte("nameserver 192.0.2.1\n"), ResolvOptions{DNS: servers, Search: domains, Options: opts}))
			want := "nameserver " + servers[0] + "\noptions " + opt + "\n"
			if search != "." {
				want = "search " + search + "\n" + want
			}
			if got != want {
				t.Fatalf("--dns %q --dns-search %q --dns-option %q: resolv.conf\n%s\nwant\n%s", dns, search, opt, got, want)
			}
		}
		if err4 == nil && err5 == nil && err6 == nil && domain != "" {
			got := Hosts(HostsOptions{Hostname: hostname, Name: "web", Domainname: domain, Address: "10.0.2.100",
				ExtraHosts: ResolveExtraHosts([]string{host}, "10.0.2.2")})
			lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
			if len(lines) != 4 {
				t.Fatalf("--add-host %q --hostname %q --domainname %q: hosts\n%s\nwant 4 lines", host, hostname, domain, got)
			}
			name, _, _ := splitExtraHost(host)
			if f := strings.Fields(lines[0]); len(f) != 2 || f[1] != name || net.ParseIP(f[0]) == nil {
				t.Fatalf("--add-host %q: line %q", host, lines[0])
			}
			if f := strings.Fields(lines[3]); len(f) < 3 || f[0] != "10.0.2.100" || f[1] != hostname+"."+domain {
				t.Fatalf("--hostname %q --domainname %q: line %q", hostname, domain, lines[3])
			}
		}
	})
}
