package slirp

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/pod-project/pod/container"
)

// ParsePorts parses -p values: [IP:][HOSTPORT:]CTRPORT[/tcp|udp], where
// the ports may be ranges (8080-8082:80-82) of equal length. A missing
// host port is 0: AllocatePorts picks a free one.
func ParsePorts(specs []string) ([]container.PortMapping, error) {
	var out []container.PortMapping
	for _, s := range specs {
		m, err := parsePort(s)
		if err != nil {
			return nil, fmt.Errorf("invalid port %q: %w", s, err)
		}
		out = append(out, m...)
	}
	return out, nil
}

func parsePort(s string) ([]container.PortMapping, error) {
	proto := "tcp"
	if i := strings.LastIndex(s, "/"); i >= 0 {
		proto = strings.ToLower(s[i+1:])
		s = s[:i]
		if proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("protocol %q: use tcp or udp", proto)
		}
	}
	var ip, host, ctr string
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]:")
		if end < 0 {
			return nil, errors.New("unterminated IPv6 address")
		}
		ip, s = s[1:end], s[end+2:]
		var ok bool
		if host, ctr, ok = strings.Cut(s, ":"); !ok {
			return nil, errors.New("an address needs a container port")
		}
	} else {
		parts := strings.Split(s, ":")
		switch len(parts) {
		case 1:
			ctr = parts[0]
		case 2:
			host, ctr = parts[0], parts[1]
		case 3:
			ip, host, ctr = parts[0], parts[1], parts[2]
		default:
			return nil, errors.New("too many colons (IPv6 addresses go in brackets)")
		}
	}
	if ip != "" && net.ParseIP(ip) == nil {
		return nil, fmt.Errorf("host address %q is not an IP address", ip)
	}
	cLo, cHi, err := portRange(ctr)
	if err != nil {
		return nil, fmt.Errorf("container port: %w", err)
	}
	hLo, hHi := uint16(0), uint16(0)
	if host != "" {
		if hLo, hHi, err = portRange(host); err != nil {
			return nil, fmt.Errorf("host port: %w", err)
		}
		if hHi-hLo != cHi-cLo {
			return nil, errors.New("host and container port ranges differ in length")
		}
	}
	var out []container.PortMapping
	for i := 0; i <= int(cHi-cLo); i++ {
		m := container.PortMapping{HostIP: ip, ContainerPort: cLo + uint16(i), Protocol: proto}
		if hLo != 0 {
			m.HostPort = hLo + uint16(i)
		}
		out = append(out, m)
	}
	return out, nil
}

// portRange parses "80" or "80-82".
func portRange(s string) (lo, hi uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = portNumber(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = portNumber(b); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("range %s ends before it starts", s)
		}
	}
	return lo, hi, nil
}

func portNumber(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a port number (1-65535)", s)
	}
	return uint16(n), nil
}

// ParseExpose normalises --expose values (PORT[-PORT][/PROTO]) to
// "PORT/PROTO" entries.
func ParseExpose(specs []string) ([]string, error) {
	var out []string
	for _, s := range specs {
		spec, proto, _ := strings.Cut(s, "/")
		if proto == "" {
			proto = "tcp"
		}
		if proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("invalid --expose %q: protocol %q", s, proto)
		}
		lo, hi, err := portRange(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid --expose %q: %w", s, err)
		}
		for p := int(lo); p <= int(hi); p++ {
			out = append(out, strconv.Itoa(p)+"/"+proto)
		}
	}
	return out, nil
}

// PublishAll maps every exposed port ("80/tcp", the image's ExposedPorts
// keys and --expose) not yet published to a host port chosen later (0).
func PublishAll(ports []container.PortMapping, exposed []string) []container.PortMapping {
	have := map[string]bool{}
	for _, m := range ports {
		have[fmt.Sprintf("%d/%s", m.ContainerPort, m.Protocol)] = true
	}
	sorted := append([]string(nil), exposed...)
	sort.Strings(sorted)
	for _, e := range sorted {
		p, proto, _ := strings.Cut(e, "/")
		if proto == "" {
			proto = "tcp"
		}
		n, err := portNumber(p)
		if err != nil || have[p+"/"+proto] {
			continue
		}
		have[p+"/"+proto] = true
		ports = append(ports, container.PortMapping{ContainerPort: n, Protocol: proto})
	}
	return ports
}

// AllocatePorts gives every mapping with host port 0 a free port on its
// address, asking the kernel for one.
func AllocatePorts(ports []container.PortMapping) error {
	for i := range ports {
		if ports[i].HostPort != 0 {
			continue
		}
		p, err := freePort(ports[i].HostIP, ports[i].Protocol)
		if err != nil {
			return fmt.Errorf("choosing a host port for %d/%s: %w", ports[i].ContainerPort, ports[i].Protocol, err)
		}
		ports[i].HostPort = p
	}
	return nil
}

func freePort(ip, proto string) (uint16, error) {
	addr := net.JoinHostPort(ip, "0")
	if proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}

// ErrPortInUse is a host port another process holds.
var ErrPortInUse = errors.New("port is already in use")

// ErrPrivilegedPort is a host port below net.ipv4.ip_unprivileged_port_start.
var ErrPrivilegedPort = errors.New("port is privileged")

// UnprivilegedPortStart reads net.ipv4.ip_unprivileged_port_start (1024
// when it cannot be read).
func UnprivilegedPortStart() int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		return 1024
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 1024
	}
	return n
}

// CheckPorts fails, naming the port, when a host port is privileged for
// a rootless user or already taken; nothing is held afterwards.
func CheckPorts(ports []container.PortMapping, rootless bool) error {
	start := UnprivilegedPortStart()
	for _, m := range ports {
		if rootless && int(m.HostPort) < start {
			return fmt.Errorf("publishing host port %d: %w: rootless containers can only bind ports from net.ipv4.ip_unprivileged_port_start (%d) up; lower it with sysctl net.ipv4.ip_unprivileged_port_start=%d", m.HostPort, ErrPrivilegedPort, start, m.HostPort)
		}
		addr := net.JoinHostPort(m.HostIP, strconv.Itoa(int(m.HostPort)))
		var err error
		if m.Protocol == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", addr); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp", addr); err == nil {
				l.Close()
			}
		}
		if err != nil {
			if errors.Is(err, os.ErrPermission) || strings.Contains(err.Error(), "permission denied") {
				return fmt.Errorf("publishing host port %d: %w (net.ipv4.ip_unprivileged_port_start is %d)", m.HostPort, ErrPrivilegedPort, start)
			}
			return fmt.Errorf("publishing %s/%s: %w", addr, m.Protocol, ErrPortInUse)
		}
	}
	return nil
}
