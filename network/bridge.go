package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pod-project/pod/network/slirp"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/storage"
)

// Attachment is a container's link to one user-defined network, decided
// by the CLI (addresses from IPAM) and made by the container's monitor.
type Attachment struct {
	Network  string `json:"network"`
	ID       string `json:"id"`
	Bridge   string `json:"bridge"`
	MTU      int    `json:"mtu,omitempty"`
	Internal bool   `json:"internal,omitempty"`
	// DNS: the network's gateway answers its containers' names.
	DNS bool `json:"dns,omitempty"`
	// Addrs are the container's addresses with their subnets' lengths,
	// Gateways the bridge's addresses in the same subnets.
	Addrs    []netip.Prefix `json:"addrs"`
	Gateways []netip.Addr   `json:"gateways"`
	Aliases  []string       `json:"aliases,omitempty"`
	// Interface is the container's side, eth0, eth1...
	Interface string `json:"interface"`
	// MAC is its hardware address, made from its IPv4 address as
	// Docker's (02:42:A:B:C:D), or the kernel's when it has none.
	MAC string `json:"mac,omitempty"`
}

// NewAttachment is container's link to n with addrs (one per subnet, as
// IPAM gave them), as its index-th network.
func NewAttachment(n Network, addrs []netip.Addr, index int, aliases []string) Attachment {
	a := Attachment{
		Network: n.Name, ID: n.ID, Bridge: n.NetworkInterface, Internal: n.Internal, DNS: n.DNSEnabled,
		Aliases: aliases, Interface: "eth" + strconv.Itoa(index),
	}
	if m, err := strconv.Atoi(n.Options["mtu"]); err == nil {
		a.MTU = m
	}
	for i, s := range n.Subnets {
		if i < len(addrs) {
			a.Addrs = append(a.Addrs, netip.PrefixFrom(addrs[i], s.Subnet.Bits()))
			a.Gateways = append(a.Gateways, s.Gateway)
			if v4 := addrs[i]; v4.Is4() && a.MAC == "" {
				b := v4.As4()
				a.MAC = net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}.String()
			}
		}
	}
	return a
}

// Links are what a container's monitor needs to link it to its
// user-defined networks, written into its bundle by the CLI.
type Links struct {
	// RootlessNS is the rootless namespace's path, IPAMDir the leases',
	// CacheDir the network probe's (for starting the holder again).
	RootlessNS string `json:"rootlessNS"`
	IPAMDir    string `json:"ipamDir"`
	CacheDir   string `json:"cacheDir"`
	// Tag names the rootless namespace's ends (the container's short ID).
	Tag         string       `json:"tag"`
	ContainerID string       `json:"containerID"`
	Attachments []Attachment `json:"attachments"`
	// Ports are the container's published ports, relayed to its address
	// on its first network.
	Ports []container.PortMapping `json:"ports,omitempty"`

	relays *Relays
}

const linksFile = "networks.json"

// SaveLinks writes l into bundle.
func SaveLinks(bundle string, l Links) error {
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	return storage.WriteFileAtomicVolatile(filepath.Join(bundle, linksFile), b, 0o600)
}

// LoadLinks reads them back; nil when the container has none.
func LoadLinks(bundle string) (*Links, error) {
	b, err := os.ReadFile(filepath.Join(bundle, linksFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var l Links
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(bundle, linksFile), err)
	}
	return &l, nil
}

// Up links the namespace at containerNS as l says and publishes its
// ports.
func (l *Links) Up(containerNS string) error {
	if err := Attach(l.RootlessNS, containerNS, l.Tag, l.Attachments); err != nil {
		return err
	}
	if len(l.Ports) == 0 {
		return nil
	}
	var target netip.Addr
	for _, p := range l.Attachments[0].Addrs {
		if !target.IsValid() || (p.Addr().Is4() && !target.Is4()) {
			target = p.Addr()
		}
	}
	r, err := StartRelays(l.RootlessNS, target, l.Ports)
	if err != nil {
		return err
	}
	l.relays = r
	return nil
}

// Down stops publishing the container's ports (its links go with its
// namespace).
func (l *Links) Down() {
	l.relays.Close()
	l.relays = nil
}

// Release gives the container's addresses back (its namespace, and so
// its links, go with the namespace's removal).
func (l *Links) Release() error {
	m := IPAM{Dir: l.IPAMDir}
	for _, a := range l.Attachments {
		if err := m.Release(Network{ID: a.ID}, l.ContainerID); err != nil {
			return err
		}
	}
	return nil
}

// Attach links the container's network namespace (containerNS) to each
// attachment's bridge in the rootless namespace: the bridge is made (with
// its gateway addresses and its rules) when missing, a veth pair joins
// them, and the container's side gets its addresses, and a default route
// through the first network that is not internal. tag names the host
// sides (a container's short ID).
func Attach(rootlessNS, containerNS, tag string, atts []Attachment) error {
	cns, err := os.Open(containerNS)
	if err != nil {
		return err
	}
	defer cns.Close()
	err = slirp.InNetNS(rootlessNS, func() error {
		for _, a := range atts {
			br, err := ensureBridge(a)
			if err != nil {
				return fmt.Errorf("network %s: bridge %s: %w", a.Network, a.Bridge, err)
			}
			host := vethName(tag, a.ID)
			if old, err := netlink.LinkByName(host); err == nil {
				_ = netlink.LinkDel(old) // left by a killed monitor
			}
			la := netlink.NewLinkAttrs()
			la.Name, la.MasterIndex, la.MTU = host, br.Attrs().Index, a.MTU
			veth := &netlink.Veth{LinkAttrs: la, PeerName: a.Interface, PeerNamespace: netlink.NsFd(int(cns.Fd())), PeerMTU: uint32(a.MTU)}
			if mac, err := net.ParseMAC(a.MAC); err == nil {
				veth.PeerHardwareAddr = mac
			}
			if err := netlink.LinkAdd(veth); err != nil {
				return fmt.Errorf("network %s: a link for the container: %w", a.Network, err)
			}
			if err := netlink.LinkSetUp(veth); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return slirp.InNetNS(containerNS, func() error { return configureContainer(atts) })
}

// vethName is the rootless namespace's side of a container's link to
// network netID: at most 15 bytes (IFNAMSIZ).
func vethName(tag, netID string) string {
	if len(tag) > 8 {
		tag = tag[:8]
	}
	if len(netID) > 5 {
		netID = netID[:5]
	}
	return "v" + tag + "-" + netID
}

// Detach removes a container's link to network a (both ends go).
func Detach(rootlessNS, tag string, a Attachment) error {
	return slirp.InNetNS(rootlessNS, func() error {
		link, err := netlink.LinkByName(vethName(tag, a.ID))
		if err != nil {
			return nil // gone already
		}
		return netlink.LinkDel(link)
	})
}

// ensureBridge returns a's bridge, making it with its gateway addresses
// and rules when it does not exist.
func ensureBridge(a Attachment) (netlink.Link, error) {
	link, err := netlink.LinkByName(a.Bridge)
	if err != nil {
		la := netlink.NewLinkAttrs()
		la.Name, la.MTU = a.Bridge, a.MTU
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: la}); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, err
		}
		if link, err = netlink.LinkByName(a.Bridge); err != nil {
			return nil, err
		}
	}
	// A bridge of that name may be left from a removed network that had
	// it (its name is free again): it gets this network's gateways only.
	want := map[netip.Prefix]bool{}
	for i, g := range a.Gateways {
		want[netip.PrefixFrom(g, a.Addrs[i].Bits())] = true
	}
	have, err := netlink.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		return nil, err
	}
	for _, h := range have {
		ip, ok := netip.AddrFromSlice(h.IP)
		ones, _ := h.Mask.Size()
		p := netip.PrefixFrom(ip.Unmap(), ones)
		switch {
		case !ok || ip.IsLinkLocalUnicast():
		case want[p]:
			delete(want, p)
		default:
			if err := netlink.AddrDel(link, &h); err != nil {
				return nil, err
			}
		}
	}
	for p := range want {
		if err := netlink.AddrAdd(link, &netlink.Addr{IPNet: ipNet(p)}); err != nil && !errors.Is(err, unix.EEXIST) {
			return nil, err
		}
	}
	if a.MTU > 0 && link.Attrs().MTU != a.MTU {
		if err := netlink.LinkSetMTU(link, a.MTU); err != nil {
			return nil, err
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return nil, err
	}
	if err := bridgeRules(a); err != nil {
		return nil, fmt.Errorf("its nftables rules (%s): %w", errNoNFTables, err)
	}
	return link, nil
}

// configureContainer runs in the container's namespace: loopback and
// each interface up with its addresses, and the default routes.
func configureContainer(atts []Attachment) error {
	if lo, err := netlink.LinkByName("lo"); err == nil {
		if err := netlink.LinkSetUp(lo); err != nil {
			return err
		}
	}
	routed4, routed6 := false, false
	for _, a := range atts {
		link, err := netlink.LinkByName(a.Interface)
		if err != nil {
			return fmt.Errorf("network %s: %s: %w", a.Network, a.Interface, err)
		}
		for _, p := range a.Addrs {
			// No duplicate address detection: the address is the
			// container's by IPAM, and DAD would delay it by seconds.
			addr := &netlink.Addr{IPNet: ipNet(p), Flags: unix.IFA_F_NODAD}
			if err := netlink.AddrAdd(link, addr); err != nil {
				return fmt.Errorf("network %s: address %s: %w", a.Network, p, err)
			}
		}
		if err := netlink.LinkSetUp(link); err != nil {
			return err
		}
		if a.Internal {
			continue
		}
		for _, g := range a.Gateways {
			if (g.Is4() && routed4) || (g.Is6() && routed6) {
				continue
			}
			r := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: net.IP(g.AsSlice())}
			// A container linked to another network since (connect)
			// keeps its default route.
			if err := netlink.RouteAdd(r); err != nil && !errors.Is(err, unix.EEXIST) {
				return fmt.Errorf("network %s: default route via %s: %w", a.Network, g, err)
			}
			routed4, routed6 = routed4 || g.Is4(), routed6 || g.Is6()
		}
	}
	return nil
}

func ipNet(p netip.Prefix) *net.IPNet {
	bits := 32
	if p.Addr().Is6() {
		bits = 128
	}
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

// Relink makes again what is missing of a running container's links:
// each bridge with its rules, and each link whose end in the rootless
// namespace is gone (the container's end is replaced). It returns the
// networks it linked again.
func (l *Links) Relink(containerNS string) ([]string, error) {
	var missing []Attachment
	err := slirp.InNetNS(l.RootlessNS, func() error {
		for _, a := range l.Attachments {
			if _, err := ensureBridge(a); err != nil {
				return fmt.Errorf("network %s: bridge %s: %w", a.Network, a.Bridge, err)
			}
			if _, err := netlink.LinkByName(vethName(l.Tag, a.ID)); err != nil {
				missing = append(missing, a)
			}
		}
		return nil
	})
	if err != nil || len(missing) == 0 {
		return nil, err
	}
	err = slirp.InNetNS(containerNS, func() error {
		for _, a := range missing {
			if link, err := netlink.LinkByName(a.Interface); err == nil {
				if err := netlink.LinkDel(link); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := Attach(l.RootlessNS, containerNS, l.Tag, missing); err != nil {
		return nil, err
	}
	var names []string
	for _, a := range missing {
		names = append(names, a.Network)
	}
	return names, nil
}
