package network

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pod-project/pod/storage"
)

// Store keeps network records in Dir ($XDG_DATA_HOME/pod/networks), one
// NAME.json each, written whole (a crash leaves the old record or the new
// one). Changes are made under Dir/.lock, so parallel creates never pick
// the same subnet or name.
type Store struct {
	Dir string
	// HostPrefixes, when set, replaces reading the host's addresses and
	// routes (for tests).
	HostPrefixes func() ([]netip.Prefix, error)
}

const recordExt = ".json"

// Create makes a network from o.
func (s Store) Create(o CreateOptions) (Network, error) {
	unlock, err := s.lock()
	if err != nil {
		return Network{}, err
	}
	defer unlock()
	existing, err := s.List()
	if err != nil {
		return Network{}, err
	}
	hp := s.HostPrefixes
	if hp == nil {
		hp = HostPrefixes
	}
	host, err := hp()
	if err != nil {
		return Network{}, fmt.Errorf("reading the host's routes: %w", err)
	}
	n, err := Build(o, existing, host, time.Now())
	if err != nil {
		return Network{}, err
	}
	b, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		return Network{}, err
	}
	if err := storage.WriteFileAtomic(s.path(n.Name), append(b, '\n'), 0o644); err != nil {
		return Network{}, fmt.Errorf("network %s: %w", n.Name, err)
	}
	return n, nil
}

// List returns every network, by name, the default network among them. A
// record that cannot be read is an error naming its file.
func (s Store) List() ([]Network, error) {
	out := []Network{Default()}
	ents, err := os.ReadDir(s.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, recordExt) || strings.HasPrefix(name, ".") || name == DefaultName+recordExt {
			continue
		}
		n, err := s.read(filepath.Join(s.Dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get finds a network by name, full ID or unique ID prefix.
func (s Store) Get(ref string) (Network, error) {
	if ref == DefaultName {
		return Default(), nil
	}
	if CheckName(ref) == nil {
		n, err := s.read(s.path(ref))
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return Network{}, err
		}
	}
	all, err := s.List()
	if err != nil {
		return Network{}, err
	}
	var found []Network
	for _, n := range all {
		if ref != "" && strings.HasPrefix(n.ID, ref) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return Network{}, fmt.Errorf("network %s: %w (pod network ls lists them)", ref, ErrNoSuchNetwork)
	}
	return Network{}, fmt.Errorf("network ID prefix %s names %d networks: give more of it", ref, len(found))
}

// Remove deletes network ref. users names the containers attached to a
// network, and a network with any is refused (pod network rm -f removes
// those containers first).
func (s Store) Remove(ref string, users func(Network) []string) (Network, error) {
	unlock, err := s.lock()
	if err != nil {
		return Network{}, err
	}
	defer unlock()
	n, err := s.Get(ref)
	if err != nil {
		return Network{}, err
	}
	if err := CheckRemovable(n); err != nil {
		return n, err
	}
	if users != nil {
		if u := users(n); len(u) > 0 {
			return n, fmt.Errorf("network %s is used by container %s: %w (remove them, or pod network rm -f)", n.Name, strings.Join(u, ", "), ErrInUse)
		}
	}
	if err := os.Remove(s.path(n.Name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return n, err
	}
	return n, nil
}

// CheckRemovable refuses the default network, which is always there.
func CheckRemovable(n Network) error {
	if n.Name == DefaultName {
		return fmt.Errorf("default network %s cannot be removed", n.Name)
	}
	return nil
}

func (s Store) path(name string) string { return filepath.Join(s.Dir, name+recordExt) }

func (s Store) read(path string) (Network, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Network{}, err
	}
	var n Network
	if err := json.Unmarshal(b, &n); err != nil || n.Name == "" {
		if err == nil {
			err = errors.New("no name")
		}
		return Network{}, fmt.Errorf("network record %s is damaged (%v): remove the file to drop that network", path, err)
	}
	return n, nil
}

func (s Store) lock() (func(), error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, err
	}
	return storage.Lock(filepath.Join(s.Dir, ".lock"))
}

// HostPrefixes are the prefixes of the host's interface addresses and of
// its IPv4 routes other than the default one: a network's subnet must not
// shadow them.
func HostPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok {
			if p, err := netip.ParsePrefix(ipn.String()); err == nil && !p.Addr().IsLoopback() && !p.Addr().IsLinkLocalUnicast() {
				out = append(out, p.Masked())
			}
		}
	}
	b, err := os.ReadFile("/proc/net/route")
	if err != nil {
		return out, nil // no IPv4 routing table to read: the addresses do
	}
	return append(out, parseRoutes(string(b))...), nil
}

// parseRoutes reads /proc/net/route's destinations and masks (hex, in
// the host's byte order, which is little-endian on every Linux pod runs
// on), leaving out the default route.
func parseRoutes(table string) []netip.Prefix {
	var out []netip.Prefix
	for _, l := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(l)
		if len(f) < 8 {
			continue
		}
		dst, err1 := strconv.ParseUint(f[1], 16, 32)
		mask, err2 := strconv.ParseUint(f[7], 16, 32)
		if err1 != nil || err2 != nil || mask == 0 {
			continue
		}
		var d, m [4]byte
		binary.LittleEndian.PutUint32(d[:], uint32(dst))
		binary.LittleEndian.PutUint32(m[:], uint32(mask))
		bits, _ := net.IPMask(m[:]).Size()
		out = append(out, netip.PrefixFrom(netip.AddrFrom4(d), bits).Masked())
	}
	return out
}
