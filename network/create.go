package network

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// CreateOptions are pod network create's flags.
type CreateOptions struct {
	Name string
	// Subnets, Gateways and IPRanges are --subnet, --gateway and
	// --ip-range, the n-th gateway and range belonging to the n-th subnet.
	Subnets, Gateways, IPRanges []string
	IPv6, Internal, DisableDNS  bool
	// Options are --opt KEY=VALUE: mtu.
	Options map[string]string
	Labels  map[string]string
}

// The pool subnets are picked from when none is given: 10.89.N.0/24, as
// Podman's, and for IPv6 a /64 of a unique local prefix made from the
// network's ID.
var (
	pool4     = netip.MustParsePrefix("10.89.0.0/16")
	pool4Bits = 24
	ulaPrefix = byte(0xfd)
	pool6Bits = 64
)

// ifacePrefx starts every bridge's name.
const ifacePrefx = "pod"

// Build makes the record of a new network from o. existing are the
// networks there are and host the prefixes of the host's addresses and
// routes: a picked subnet avoids both, a given one must overlap neither.
func Build(o CreateOptions, existing []Network, host []netip.Prefix, now time.Time) (Network, error) {
	if err := CheckName(o.Name); err != nil {
		return Network{}, err
	}
	for _, n := range existing {
		if n.Name == o.Name {
			return Network{}, fmt.Errorf("network %s: %w (pod network rm %s, or choose another name)", o.Name, ErrExists, o.Name)
		}
	}
	if len(o.Gateways) > len(o.Subnets) {
		return Network{}, fmt.Errorf("--gateway %s: every --gateway needs a --subnet it belongs to", o.Gateways[len(o.Subnets)])
	}
	if len(o.IPRanges) > len(o.Subnets) {
		return Network{}, fmt.Errorf("--ip-range %s: every --ip-range needs a --subnet it belongs to", o.IPRanges[len(o.Subnets)])
	}
	n := Network{
		Name: o.Name, ID: newID(), Driver: DriverBridge, Created: now.UTC(),
		Internal: o.Internal, DNSEnabled: !o.DisableDNS, IPv6Enabled: o.IPv6,
		Labels: maps.Clone(o.Labels),
	}
	opts, err := checkOptions(o.Options)
	if err != nil {
		return Network{}, err
	}
	n.Options = opts
	taken := append([]netip.Prefix(nil), host...)
	for _, e := range existing {
		for _, s := range e.Subnets {
			taken = append(taken, s.Subnet)
		}
	}
	for i, v := range o.Subnets {
		s, err := givenSubnet(v, at(o.Gateways, i), at(o.IPRanges, i))
		if err != nil {
			return Network{}, err
		}
		if err := checkFree(s.Subnet, existing, host); err != nil {
			return Network{}, err
		}
		for _, prev := range n.Subnets {
			if prev.Subnet.Overlaps(s.Subnet) {
				return Network{}, fmt.Errorf("--subnet %s overlaps --subnet %s", s.Subnet, prev.Subnet)
			}
		}
		if s.Subnet.Addr().Is6() {
			n.IPv6Enabled = true
		}
		n.Subnets = append(n.Subnets, s)
		taken = append(taken, s.Subnet)
	}
	has4, has6 := false, false
	for _, s := range n.Subnets {
		has4 = has4 || s.Subnet.Addr().Is4()
		has6 = has6 || s.Subnet.Addr().Is6()
	}
	if !has4 && len(o.Subnets) == 0 {
		p, err := pick4(taken)
		if err != nil {
			return Network{}, err
		}
		n.Subnets = append(n.Subnets, Subnet{Subnet: p, Gateway: p.Addr().Next()})
	}
	if n.IPv6Enabled && !has6 {
		p := ula64(n.ID)
		n.Subnets = append(n.Subnets, Subnet{Subnet: p, Gateway: p.Addr().Next()})
	}
	n.NetworkInterface = freeInterface(existing)
	return n, nil
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// givenSubnet checks a --subnet with its --gateway and --ip-range.
func givenSubnet(subnet, gateway, ipRange string) (Subnet, error) {
	p, err := netip.ParsePrefix(subnet)
	if err != nil {
		return Subnet{}, fmt.Errorf("--subnet %q: not a subnet in CIDR notation (e.g. 10.89.7.0/24)", subnet)
	}
	if p != p.Masked() {
		return Subnet{}, fmt.Errorf("--subnet %s: host bits set; did you mean %s?", p, p.Masked())
	}
	max := 30
	if p.Addr().Is6() {
		max = 126
	}
	if p.Bits() > max {
		return Subnet{}, fmt.Errorf("--subnet %s: too small for a gateway and a container (at most /%d)", p, max)
	}
	s := Subnet{Subnet: p, Gateway: p.Addr().Next()}
	if gateway != "" {
		g, err := netip.ParseAddr(gateway)
		if err != nil {
			return Subnet{}, fmt.Errorf("--gateway %q: not an IP address", gateway)
		}
		if !p.Contains(g) || g == p.Addr() || (g.Is4() && g == lastAddr(p)) {
			return Subnet{}, fmt.Errorf("--gateway %s: not a host address of --subnet %s", g, p)
		}
		s.Gateway = g
	}
	if ipRange != "" {
		r, err := parseRange(ipRange)
		if err != nil {
			return Subnet{}, err
		}
		if !p.Contains(r.StartIP) || !p.Contains(r.EndIP) {
			return Subnet{}, fmt.Errorf("--ip-range %s: not inside --subnet %s", ipRange, p)
		}
		s.LeaseRange = r
	}
	return s, nil
}

// parseRange reads an --ip-range: a CIDR prefix or START-END.
func parseRange(v string) (*LeaseRange, error) {
	if a, b, ok := strings.Cut(v, "-"); ok {
		start, err1 := netip.ParseAddr(strings.TrimSpace(a))
		end, err2 := netip.ParseAddr(strings.TrimSpace(b))
		if err1 != nil || err2 != nil || start.Is4() != end.Is4() || end.Less(start) {
			return nil, fmt.Errorf("--ip-range %q: use a subnet in CIDR notation or START-END with START not above END", v)
		}
		return &LeaseRange{StartIP: start, EndIP: end}, nil
	}
	p, err := netip.ParsePrefix(v)
	if err != nil || p != p.Masked() {
		return nil, fmt.Errorf("--ip-range %q: use a subnet in CIDR notation or START-END with START not above END", v)
	}
	return &LeaseRange{StartIP: p.Addr(), EndIP: lastAddr(p)}, nil
}

// checkFree refuses a given subnet that overlaps another network's or a
// route of the host's: containers would shadow the host's own peers.
func checkFree(p netip.Prefix, existing []Network, host []netip.Prefix) error {
	for _, e := range existing {
		for _, s := range e.Subnets {
			if s.Subnet.Overlaps(p) {
				return fmt.Errorf("--subnet %s overlaps subnet %s of network %s: choose another subnet", p, s.Subnet, e.Name)
			}
		}
	}
	for _, h := range host {
		if h.Overlaps(p) {
			return fmt.Errorf("--subnet %s overlaps the host's route to %s: choose another subnet", p, h)
		}
	}
	return nil
}

// pick4 is the first /24 of the pool that overlaps nothing taken.
func pick4(taken []netip.Prefix) (netip.Prefix, error) {
	base := pool4.Addr().As4()
	step := 1 << (32 - pool4Bits)
	n := 1 << (pool4Bits - pool4.Bits())
	for i := 0; i < n; i++ {
		v := binary.BigEndian.Uint32(base[:]) + uint32(i*step)
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], v)
		p := netip.PrefixFrom(netip.AddrFrom4(b), pool4Bits)
		free := true
		for _, t := range taken {
			if t.Overlaps(p) {
				free = false
				break
			}
		}
		if free {
			return p, nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("every subnet of %s is taken by a network or a route of the host: remove unused networks (pod network prune) or give --subnet", pool4)
}

// ula64 is a /64 of the unique local prefix fdXX:XXXX:XXXX::/48 made from
// the network's ID (RFC 4193's global ID is 40 random bits).
func ula64(id string) netip.Prefix {
	var b [16]byte
	b[0] = ulaPrefix
	if raw, err := hex.DecodeString(id); err == nil && len(raw) >= 5 {
		copy(b[1:6], raw[:5])
	}
	return netip.PrefixFrom(netip.AddrFrom16(b), pool6Bits)
}

// freeInterface is the lowest podN bridge name no network has.
func freeInterface(existing []Network) string {
	used := map[string]bool{}
	for _, e := range existing {
		used[e.NetworkInterface] = true
	}
	for i := 1; ; i++ {
		if name := ifacePrefx + strconv.Itoa(i); !used[name] {
			return name
		}
	}
}

// checkOptions checks --opt values: mtu (68 to 65535).
func checkOptions(in map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range in {
		switch k {
		case "mtu":
			m, err := strconv.Atoi(v)
			if err != nil || m < 68 || m > 65535 {
				return nil, fmt.Errorf("--opt mtu=%s: an MTU is a number from 68 to 65535", v)
			}
			out[k] = strconv.Itoa(m)
		default:
			return nil, fmt.Errorf("--opt %s: unknown option (pod's bridge networks take mtu)", k)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
