// Package network keeps user-defined networks: their records (Podman's
// JSON shape, so `pod network inspect` reads as Podman's), the choice of a
// free subnet, and the addresses given to containers (IPAM). The data
// plane — the per-user rootless network namespace, its bridges, veth pairs,
// nftables rules and the DNS role — builds on these records.
package network

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"time"

	"github.com/pod-project/pod/container"
)

// DriverBridge is the one driver: a Linux bridge in the rootless network
// namespace.
const DriverBridge = "bridge"

// Network is a user-defined network's record.
type Network struct {
	Name             string            `json:"name"`
	ID               string            `json:"id"`
	Driver           string            `json:"driver"`
	NetworkInterface string            `json:"network_interface"`
	Created          time.Time         `json:"created"`
	Subnets          []Subnet          `json:"subnets"`
	IPv6Enabled      bool              `json:"ipv6_enabled"`
	Internal         bool              `json:"internal"`
	DNSEnabled       bool              `json:"dns_enabled"`
	Labels           map[string]string `json:"labels,omitempty"`
	Options          map[string]string `json:"options,omitempty"`
}

// Subnet is one of a network's address ranges: its prefix, the gateway
// (the bridge's address, where the DNS role listens) and, optionally, the
// range containers' addresses are taken from.
type Subnet struct {
	Subnet     netip.Prefix `json:"subnet"`
	Gateway    netip.Addr   `json:"gateway"`
	LeaseRange *LeaseRange  `json:"lease_range,omitempty"`
}

// LeaseRange bounds the addresses given to containers (--ip-range).
type LeaseRange struct {
	StartIP netip.Addr `json:"start_ip"`
	EndIP   netip.Addr `json:"end_ip"`
}

// Errors callers tell apart.
var (
	ErrNoSuchNetwork = errors.New("no such network")
	ErrExists        = errors.New("network already exists")
	ErrInUse         = errors.New("network is in use")
	ErrExhausted     = errors.New("no free address")
)

// Names of the networks pod itself uses with --network, which a
// user-defined network cannot take.
var reservedNames = map[string]bool{
	"none": true, "host": true, "bridge": true, "private": true,
	"pasta": true, "slirp4netns": true, "default": true, "container": true, "ns": true,
	DefaultName: true,
}

// DefaultName is the default network's name: the network of containers
// run with no --network (or --network bridge).
const DefaultName = container.DefaultNetwork

// The default network has no record on disk: it is always there, with
// Podman's default subnet, the first bridge and no name resolution
// between its containers (as Docker's and Podman's default networks; a
// user-defined network has it).
var (
	defaultSubnet = netip.MustParsePrefix("10.88.0.0/16")
	defaultIface  = ifacePrefx + "0"
)

// Default is the default network's record. Its ID is derived from its
// name, so it is the same in every store.
func Default() Network {
	sum := sha256.Sum256([]byte(DefaultName))
	return Network{
		Name: DefaultName, ID: hex.EncodeToString(sum[:]), Driver: DriverBridge,
		NetworkInterface: defaultIface, Created: time.Now().UTC(),
		Subnets: []Subnet{{Subnet: defaultSubnet, Gateway: defaultSubnet.Addr().Next()}},
	}
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// CheckName refuses a name that is not a valid network name, as Podman's
// rule: a letter or digit, then letters, digits, '_', '.' or '-'.
func CheckName(name string) error {
	switch {
	case name == "":
		return errors.New("a network needs a name")
	case len(name) > 253:
		return fmt.Errorf("network name %.20q...: longer than 253 characters", name)
	case !validName.MatchString(name):
		return fmt.Errorf("network name %q: use letters, digits, '_', '.' and '-', starting with a letter or digit", name)
	case name == DefaultName:
		return fmt.Errorf("network name %q is the default network's: choose another", name)
	case reservedNames[name]:
		return fmt.Errorf("network name %q is one of --network's own modes: choose another", name)
	}
	return nil
}

// IsName reports whether v names a network, the default one or a
// user-defined one, rather than one of --network's own modes (which
// CheckName refuses as network names).
func IsName(v string) bool { return v == DefaultName || CheckName(v) == nil }

// newID is a random 64-hex-digit ID, as containers' and images'.
func newID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b[:])
}

// Contains reports whether a is one of n's subnets' addresses a container
// may have: inside the subnet, not its network or (IPv4) broadcast address,
// not the gateway, and inside the lease range when there is one.
func (s Subnet) Contains(a netip.Addr) bool {
	p := s.Subnet.Masked()
	if !p.Contains(a) || a == p.Addr() || a == s.Gateway {
		return false
	}
	if a.Is4() && a == lastAddr(p) {
		return false
	}
	if r := s.LeaseRange; r != nil {
		return r.StartIP.Compare(a) <= 0 && a.Compare(r.EndIP) <= 0
	}
	return true
}

// lastAddr is the highest address of p.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 0; j < 8; j++ {
			if i*8+j >= bits {
				b[i] |= 0x80 >> j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}
