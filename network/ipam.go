package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"github.com/pod-project/pod/storage"
)

// IPAM gives containers addresses on networks. Every lease is in one file
// (Dir/ipam.json), read and written whole under Dir/ipam.lock, so parallel
// runs never give one address twice, and a crash leaves the file as it
// was before or after a change. Dir is in the runtime directory: after a
// reboot no container holds an address.
type IPAM struct {
	Dir string
}

// ipamVersion is the schema of ipam.json.
const ipamVersion = 1

type ipamFile struct {
	Version int `json:"version"`
	// Networks maps a network ID to its subnets' leases.
	Networks map[string]*networkLeases `json:"networks"`
}

type networkLeases struct {
	// Leases maps an address to the container holding it.
	Leases map[netip.Addr]string `json:"leases"`
	// Last is, per subnet, the address given last: the next search
	// starts after it, so a released address is not given again at once
	// (a peer's cache may still name it).
	Last map[netip.Prefix]netip.Addr `json:"last,omitempty"`
	// Names are, per container ID, the names it answers to on the
	// network (its name, aliases and short ID), for the DNS role.
	Names map[string][]string `json:"names,omitempty"`
}

// Allocate gives container id one address in each of n's subnets (the
// ones it already holds, if any), and records the names it answers to
// there. static are addresses asked for (--ip, --ip6): each must lie in
// one of n's subnets and be free.
func (m IPAM) Allocate(n Network, id string, names []string, static []netip.Addr) ([]netip.Addr, error) {
	var out []netip.Addr
	err := m.change(func(f *ipamFile) error {
		nl := f.leases(n.ID)
		if len(names) > 0 {
			nl.Names[id] = names
		}
		held := map[netip.Prefix]netip.Addr{}
		for a, c := range nl.Leases {
			if c == id {
				if s, ok := subnetOf(n, a); ok {
					held[s.Subnet] = a
				}
			}
		}
		for _, a := range static {
			s, ok := subnetOf(n, a)
			if !ok {
				return fmt.Errorf("address %s is not one network %s gives (its subnets: %s)", a, n.Name, subnetList(n))
			}
			if c, taken := nl.Leases[a]; taken && c != id {
				return fmt.Errorf("address %s on network %s is taken by container %.12s", a, n.Name, c)
			}
			if h, ok := held[s.Subnet]; ok && h != a {
				delete(nl.Leases, h)
			}
			held[s.Subnet] = a
			nl.Leases[a] = id
		}
		out = out[:0]
		for _, s := range n.Subnets {
			if a, ok := held[s.Subnet]; ok {
				out = append(out, a)
				continue
			}
			a, err := nextFree(s, nl)
			if err != nil {
				return fmt.Errorf("network %s: %w in subnet %s", n.Name, err, s.Subnet)
			}
			nl.Leases[a] = id
			nl.Last[s.Subnet] = a
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// Release frees the addresses container id holds on network n.
func (m IPAM) Release(n Network, id string) error {
	return m.change(func(f *ipamFile) error {
		f.leases(n.ID).drop(id)
		return nil
	})
}

// ReleaseAll gives back every address container id holds, on any network
// (at its removal: a connect killed before it recorded the network left
// one the record does not name).
func (m IPAM) ReleaseAll(id string) error {
	return m.change(func(f *ipamFile) error {
		for _, nl := range f.Networks {
			nl.drop(id)
		}
		return nil
	})
}

// drop removes container id's addresses and names from the network.
func (nl *networkLeases) drop(id string) {
	for a, c := range nl.Leases {
		if c == id {
			delete(nl.Leases, a)
		}
	}
	delete(nl.Names, id)
}

// Forget drops every lease of network n (when it is removed).
func (m IPAM) Forget(n Network) error {
	return m.change(func(f *ipamFile) error {
		delete(f.Networks, n.ID)
		return nil
	})
}

// Leases returns network n's leases: address to container ID.
func (m IPAM) Leases(n Network) (map[netip.Addr]string, error) {
	f, err := m.read()
	if err != nil {
		return nil, err
	}
	out := map[netip.Addr]string{}
	if nl := f.Networks[n.ID]; nl != nil {
		for a, c := range nl.Leases {
			out[a] = c
		}
	}
	return out, nil
}

// change applies fn to the leases under the lock and writes them back
// when it succeeds.
func (m IPAM) change(fn func(*ipamFile) error) error {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return err
	}
	unlock, err := storage.Lock(filepath.Join(m.Dir, "ipam.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	f, err := m.read()
	if err != nil {
		return err
	}
	if err := fn(f); err != nil {
		return err
	}
	for id, nl := range f.Networks {
		if len(nl.Leases) == 0 {
			delete(f.Networks, id)
		}
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return storage.WriteFileAtomicVolatile(filepath.Join(m.Dir, "ipam.json"), b, 0o600)
}

// Unused reports whether no container holds an address (a damaged file
// counts as used: its holders are unknown).
func (m IPAM) Unused() bool {
	f, err := m.read()
	return err == nil && !f.inUse()
}

// IfUnused runs fn when no container holds an address, under the lock,
// so that none is given while fn runs; it reports whether fn ran.
func (m IPAM) IfUnused(fn func()) (bool, error) {
	if err := os.MkdirAll(m.Dir, 0o700); err != nil {
		return false, err
	}
	unlock, err := storage.Lock(filepath.Join(m.Dir, "ipam.lock"))
	if err != nil {
		return false, err
	}
	defer unlock()
	f, err := m.read()
	if err != nil || f.inUse() {
		return false, err
	}
	fn()
	return true, nil
}

func (f *ipamFile) inUse() bool {
	for _, nl := range f.Networks {
		if len(nl.Leases) > 0 {
			return true
		}
	}
	return false
}

func (m IPAM) read() (*ipamFile, error) {
	f := &ipamFile{Version: ipamVersion, Networks: map[string]*networkLeases{}}
	b, err := os.ReadFile(filepath.Join(m.Dir, "ipam.json"))
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, f); err != nil || f.Version != ipamVersion {
		if err == nil {
			err = fmt.Errorf("version %d, want %d", f.Version, ipamVersion)
		}
		return nil, fmt.Errorf("the address leases %s are damaged (%v): stop the containers on user-defined networks and remove the file", filepath.Join(m.Dir, "ipam.json"), err)
	}
	if f.Networks == nil {
		f.Networks = map[string]*networkLeases{}
	}
	return f, nil
}

func (f *ipamFile) leases(id string) *networkLeases {
	nl := f.Networks[id]
	if nl == nil {
		nl = &networkLeases{}
		f.Networks[id] = nl
	}
	if nl.Leases == nil {
		nl.Leases = map[netip.Addr]string{}
	}
	if nl.Last == nil {
		nl.Last = map[netip.Prefix]netip.Addr{}
	}
	if nl.Names == nil {
		nl.Names = map[string][]string{}
	}
	return nl
}

// subnetOf is the subnet of n that may give a.
func subnetOf(n Network, a netip.Addr) (Subnet, bool) {
	for _, s := range n.Subnets {
		if s.Contains(a) {
			return s, true
		}
	}
	return Subnet{}, false
}

func subnetList(n Network) string {
	var s string
	for i, sn := range n.Subnets {
		if i > 0 {
			s += ", "
		}
		s += sn.Subnet.String()
	}
	return s
}

// maxProbe bounds the search for a free address in a huge (IPv6)
// subnet: leases are far fewer, so a free one comes long before.
const maxProbe = 1 << 20

// nextFree is the first address of s after its last given one (wrapping
// around) that no container holds.
func nextFree(s Subnet, nl *networkLeases) (netip.Addr, error) {
	first := s.Subnet.Masked().Addr().Next()
	start := first
	if l, ok := nl.Last[s.Subnet]; ok && s.Subnet.Contains(l.Next()) {
		start = l.Next()
	}
	a := start
	for i := 0; i < maxProbe; i++ {
		if !s.Subnet.Contains(a) {
			a = first
		}
		if _, taken := nl.Leases[a]; !taken && s.Contains(a) {
			return a, nil
		}
		a = a.Next()
		if a == start {
			break
		}
	}
	return netip.Addr{}, ErrExhausted
}

// Holders are the containers holding addresses, by network ID.
func (m IPAM) Holders() (map[string][]string, error) {
	f, err := m.read()
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for id, nl := range f.Networks {
		seen := map[string]bool{}
		for _, c := range nl.Leases {
			if !seen[c] {
				seen[c] = true
				out[id] = append(out[id], c)
			}
		}
	}
	return out, nil
}
