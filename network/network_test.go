package network

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestCheckName(t *testing.T) {
	for _, ok := range []string{"appnet", "a", "App_Net-1.2", "0net"} {
		if err := CheckName(ok); err != nil {
			t.Errorf("CheckName(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "-net", ".net", "a b", "net/1", "none", "host", "pasta", strings.Repeat("a", 254)} {
		if err := CheckName(bad); err == nil {
			t.Errorf("CheckName(%q) accepted it", bad)
		}
	}
}

func TestBuildPicksFreeSubnet(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n, err := Build(CreateOptions{Name: "a"}, nil, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Subnets) != 1 || n.Subnets[0].Subnet != pfx("10.89.0.0/24") || n.Subnets[0].Gateway != addr("10.89.0.1") {
		t.Fatalf("first network's subnets: %+v", n.Subnets)
	}
	if n.NetworkInterface != "pod1" || n.Driver != DriverBridge || !n.DNSEnabled || n.Internal || n.IPv6Enabled || len(n.ID) != 64 || !n.Created.Equal(now) {
		t.Fatalf("first network: %+v", n)
	}
	// The host routes 10.89.1.0/24; a is 10.89.0.0/24.
	host := []netip.Prefix{pfx("10.89.1.0/24"), pfx("192.168.0.0/16")}
	b, err := Build(CreateOptions{Name: "b", Internal: true, DisableDNS: true}, []Network{n}, host, now)
	if err != nil {
		t.Fatal(err)
	}
	if b.Subnets[0].Subnet != pfx("10.89.2.0/24") || b.NetworkInterface != "pod2" || !b.Internal || b.DNSEnabled {
		t.Fatalf("second network: %+v", b)
	}
	// A route covering the whole pool leaves nothing to pick.
	_, err = Build(CreateOptions{Name: "c"}, nil, []netip.Prefix{pfx("10.0.0.0/8")}, now)
	if err == nil || !strings.Contains(err.Error(), "--subnet") {
		t.Fatalf("a full pool: %v", err)
	}
}

func TestBuildIPv6(t *testing.T) {
	n, err := Build(CreateOptions{Name: "six", IPv6: true}, nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Subnets) != 2 || !n.Subnets[0].Subnet.Addr().Is4() {
		t.Fatalf("dual stack subnets: %+v", n.Subnets)
	}
	s6 := n.Subnets[1]
	if s6.Subnet.Bits() != 64 || s6.Subnet.Addr().As16()[0] != 0xfd || s6.Gateway != s6.Subnet.Addr().Next() || !n.IPv6Enabled {
		t.Fatalf("IPv6 subnet %+v", s6)
	}
	// A given IPv6 subnet alone: IPv6 only, enabled.
	n, err = Build(CreateOptions{Name: "only6", Subnets: []string{"fd12:3456:789a:1::/64"}}, nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Subnets) != 1 || !n.IPv6Enabled || n.Subnets[0].Gateway != addr("fd12:3456:789a:1::1") {
		t.Fatalf("given IPv6 subnet: %+v", n)
	}
}

func TestBuildGivenSubnet(t *testing.T) {
	n, err := Build(CreateOptions{
		Name: "g", Subnets: []string{"172.30.0.0/16"}, Gateways: []string{"172.30.0.254"},
		IPRanges: []string{"172.30.5.0/24"}, Options: map[string]string{"mtu": "1400"},
		Labels: map[string]string{"a": "b"},
	}, nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := n.Subnets[0]
	if s.Gateway != addr("172.30.0.254") || s.LeaseRange == nil || s.LeaseRange.StartIP != addr("172.30.5.0") || s.LeaseRange.EndIP != addr("172.30.5.255") {
		t.Fatalf("subnet %+v", s)
	}
	if n.Options["mtu"] != "1400" || n.Labels["a"] != "b" {
		t.Fatalf("options %v labels %v", n.Options, n.Labels)
	}
	n, err = Build(CreateOptions{Name: "r", Subnets: []string{"172.31.0.0/24"}, IPRanges: []string{"172.31.0.10-172.31.0.20"}}, nil, nil, time.Now())
	if err != nil || n.Subnets[0].LeaseRange.StartIP != addr("172.31.0.10") || n.Subnets[0].LeaseRange.EndIP != addr("172.31.0.20") {
		t.Fatalf("START-END range: %+v, %v", n.Subnets, err)
	}
}

func TestBuildErrors(t *testing.T) {
	existing := []Network{{Name: "used", Subnets: []Subnet{{Subnet: pfx("10.50.0.0/24")}}, NetworkInterface: "pod1"}}
	host := []netip.Prefix{pfx("192.168.1.0/24")}
	for _, c := range []struct {
		o    CreateOptions
		want string
	}{
		{CreateOptions{Name: "used"}, "already exists"},
		{CreateOptions{Name: "none"}, "--network's own modes"},
		{CreateOptions{Name: "x", Subnets: []string{"10.50.0.128/25"}}, "overlaps subnet 10.50.0.0/24 of network used"},
		{CreateOptions{Name: "x", Subnets: []string{"192.168.0.0/16"}}, "overlaps the host's route to 192.168.1.0/24"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.1/24"}}, "did you mean 10.60.0.0/24"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0"}}, "CIDR"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/31"}}, "too small"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24", "10.60.0.0/25"}}, "overlaps --subnet"},
		{CreateOptions{Name: "x", Gateways: []string{"10.60.0.1"}}, "needs a --subnet"},
		{CreateOptions{Name: "x", IPRanges: []string{"10.60.0.0/25"}}, "needs a --subnet"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24"}, Gateways: []string{"10.61.0.1"}}, "not a host address"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24"}, Gateways: []string{"10.60.0.255"}}, "not a host address"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24"}, Gateways: []string{"gw"}}, "not an IP address"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24"}, IPRanges: []string{"10.61.0.0/24"}}, "not inside"},
		{CreateOptions{Name: "x", Subnets: []string{"10.60.0.0/24"}, IPRanges: []string{"10.60.0.9-10.60.0.3"}}, "START not above END"},
		{CreateOptions{Name: "x", Options: map[string]string{"mtu": "9"}}, "68 to 65535"},
		{CreateOptions{Name: "x", Options: map[string]string{"vlan": "3"}}, "unknown option"},
	} {
		_, err := Build(c.o, existing, host, time.Now())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Build(%+v): %v, want an error with %q", c.o, err, c.want)
		}
	}
}

func TestSubnetContains(t *testing.T) {
	s := Subnet{Subnet: pfx("10.89.0.0/24"), Gateway: addr("10.89.0.1")}
	for a, want := range map[string]bool{"10.89.0.0": false, "10.89.0.1": false, "10.89.0.2": true, "10.89.0.254": true, "10.89.0.255": false, "10.89.1.2": false} {
		if got := s.Contains(addr(a)); got != want {
			t.Errorf("%s in %s: %v", a, s.Subnet, got)
		}
	}
	s.LeaseRange = &LeaseRange{StartIP: addr("10.89.0.10"), EndIP: addr("10.89.0.11")}
	if s.Contains(addr("10.89.0.9")) || !s.Contains(addr("10.89.0.11")) || s.Contains(addr("10.89.0.12")) {
		t.Error("the lease range is not kept")
	}
	if got := lastAddr(pfx("fd00:1::/64")); got != addr("fd00:1::ffff:ffff:ffff:ffff") {
		t.Errorf("lastAddr of a /64: %s", got)
	}
}

func TestParseRoutes(t *testing.T) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n" +
		"docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
	got := fmt.Sprint(parseRoutes(table))
	if got != "[192.168.0.0/24 172.17.0.0/16]" {
		t.Fatalf("routes: %s", got)
	}
}

func TestStore(t *testing.T) {
	s := Store{Dir: t.TempDir(), HostPrefixes: func() ([]netip.Prefix, error) { return nil, nil }}
	a, err := s.Create(CreateOptions{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(CreateOptions{Name: "a"}); !errors.Is(err, ErrExists) {
		t.Fatalf("a second a: %v", err)
	}
	b, err := s.Create(CreateOptions{Name: "b"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.List()
	if err != nil || len(all) != 3 || all[0].Name != "a" || all[1].Name != "b" || all[2].Name != DefaultName || all[0].Subnets[0].Subnet == all[1].Subnets[0].Subnet {
		t.Fatalf("List: %+v, %v", all, err)
	}
	// The default network is always there, with no record, and stays.
	for _, n := range all[:2] {
		if n.NetworkInterface == defaultIface || n.Subnets[0].Subnet.Overlaps(defaultSubnet) {
			t.Errorf("network %s: %s %s, the default network's", n.Name, n.NetworkInterface, n.Subnets[0].Subnet)
		}
	}
	def, err := s.Get(DefaultName)
	if err != nil || def.ID != all[2].ID || def.DNSEnabled || def.Subnets[0].Subnet != defaultSubnet {
		t.Fatalf("Get(%s): %+v, %v", DefaultName, def, err)
	}
	if got, err := s.Get(def.ID[:12]); err != nil || got.Name != DefaultName {
		t.Fatalf("the default network by ID: %+v, %v", got, err)
	}
	if _, err := s.Remove(DefaultName, nil); err == nil || !strings.Contains(err.Error(), "cannot be removed") {
		t.Fatalf("removing the default network: %v", err)
	}
	if _, err := s.Create(CreateOptions{Name: DefaultName}); err == nil || !strings.Contains(err.Error(), "default network") {
		t.Fatalf("a network named %s: %v", DefaultName, err)
	}
	if _, err := s.Create(CreateOptions{Name: "c", Subnets: []string{"10.88.7.0/24"}}); err == nil || !strings.Contains(err.Error(), DefaultName) {
		t.Fatalf("a subnet inside the default network's: %v", err)
	}
	for _, ref := range []string{"a", a.ID, a.ID[:12]} {
		if got, err := s.Get(ref); err != nil || got.ID != a.ID {
			t.Errorf("Get(%s): %+v, %v", ref, got, err)
		}
	}
	if _, err := s.Get("zz"); !errors.Is(err, ErrNoSuchNetwork) {
		t.Errorf("Get(zz): %v", err)
	}
	if _, err := s.Remove("b", func(Network) []string { return []string{"web", "db"} }); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "web, db") {
		t.Fatalf("removing a network in use: %v", err)
	}
	if _, err := s.Remove(b.ID[:10], nil); err != nil {
		t.Fatal(err)
	}
	// Only by its full ID: "b" alone may be a prefix of a's ID.
	if _, err := s.Get(b.ID); !errors.Is(err, ErrNoSuchNetwork) {
		t.Fatalf("b after rm: %v", err)
	}
	if all, err := s.List(); err != nil || len(all) != 2 {
		t.Fatalf("List after rm: %+v, %v", all, err)
	}
	// A damaged record is named, not skipped.
	if err := os.WriteFile(filepath.Join(s.Dir, "bad.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("a damaged record: %v", err)
	}
}

func TestStoreParallelCreate(t *testing.T) {
	s := Store{Dir: t.TempDir(), HostPrefixes: func() ([]netip.Prefix, error) { return nil, nil }}
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Create(CreateOptions{Name: fmt.Sprintf("n%d", i)})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.List()
	if err != nil || len(all) != 21 {
		t.Fatalf("%d networks, %v", len(all), err)
	}
	subnets, ifaces := map[netip.Prefix]bool{}, map[string]bool{}
	for _, n := range all {
		if subnets[n.Subnets[0].Subnet] || ifaces[n.NetworkInterface] {
			t.Fatalf("%s: subnet %s or bridge %s given twice", n.Name, n.Subnets[0].Subnet, n.NetworkInterface)
		}
		subnets[n.Subnets[0].Subnet], ifaces[n.NetworkInterface] = true, true
	}
}

func testNetwork(t *testing.T, o CreateOptions) Network {
	t.Helper()
	n, err := Build(o, nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIPAM(t *testing.T) {
	m := IPAM{Dir: t.TempDir()}
	n := testNetwork(t, CreateOptions{Name: "a"})
	got := func(id string, static ...netip.Addr) string {
		t.Helper()
		a, err := m.Allocate(n, id, nil, static)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(a)
	}
	if a, b := got("c1"), got("c2"); a != "[10.89.0.2]" || b != "[10.89.0.3]" {
		t.Fatalf("first addresses %s %s", a, b)
	}
	if again := got("c1"); again != "[10.89.0.2]" {
		t.Fatalf("c1 again: %s", again)
	}
	if err := m.Release(n, "c1"); err != nil {
		t.Fatal(err)
	}
	// Not given again at once.
	if c := got("c3"); c != "[10.89.0.4]" {
		t.Fatalf("after a release: %s", c)
	}
	if s := got("c4", addr("10.89.0.100")); s != "[10.89.0.100]" {
		t.Fatalf("static: %s", s)
	}
	for _, c := range []struct {
		a    string
		want string
	}{
		{"10.89.0.100", "taken by container c4"},
		{"10.89.0.1", "not one network a gives"},
		{"10.90.0.5", "not one network a gives"},
	} {
		if _, err := m.Allocate(n, "c5", nil, []netip.Addr{addr(c.a)}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("static %s: %v, want %q", c.a, err, c.want)
		}
	}
	leases, err := m.Leases(n)
	if err != nil || len(leases) != 3 || leases[addr("10.89.0.100")] != "c4" {
		t.Fatalf("leases %v, %v", leases, err)
	}
	if err := m.Forget(n); err != nil {
		t.Fatal(err)
	}
	if leases, _ := m.Leases(n); len(leases) != 0 {
		t.Fatalf("after Forget: %v", leases)
	}
}

// TestIPAMReleaseAll: a container's addresses on every network go, with
// its names; another container's stay; no address held makes it Unused.
func TestIPAMReleaseAll(t *testing.T) {
	m := IPAM{Dir: t.TempDir()}
	a := testNetwork(t, CreateOptions{Name: "a"})
	b := testNetwork(t, CreateOptions{Name: "b", Subnets: []string{"10.91.0.0/24"}})
	for _, c := range []struct {
		n  Network
		id string
	}{{a, "c1"}, {b, "c1"}, {b, "c2"}} {
		if _, err := m.Allocate(c.n, c.id, []string{c.id}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.ReleaseAll("c1"); err != nil {
		t.Fatal(err)
	}
	la, _ := m.Leases(a)
	lb, _ := m.Leases(b)
	if len(la) != 0 || len(lb) != 1 || lb[addr("10.91.0.3")] != "c2" {
		t.Fatalf("after ReleaseAll(c1): a %v, b %v", la, lb)
	}
	if m.Unused() {
		t.Fatal("Unused with c2's address held")
	}
	if err := m.Release(b, "c2"); err != nil {
		t.Fatal(err)
	}
	if !m.Unused() {
		t.Fatal("not Unused with no address held")
	}
}

func TestIPAMDualStackAndExhaustion(t *testing.T) {
	m := IPAM{Dir: t.TempDir()}
	n := testNetwork(t, CreateOptions{Name: "d", IPv6: true})
	a, err := m.Allocate(n, "c1", nil, nil)
	if err != nil || len(a) != 2 || !a[0].Is4() || !a[1].Is6() || a[1] != n.Subnets[1].Gateway.Next() {
		t.Fatalf("dual stack: %v, %v", a, err)
	}
	small := testNetwork(t, CreateOptions{Name: "s", Subnets: []string{"10.70.0.0/30"}})
	if a, err := m.Allocate(small, "c1", nil, nil); err != nil || a[0] != addr("10.70.0.2") {
		t.Fatalf("the one address of a /30: %v, %v", a, err)
	}
	if _, err := m.Allocate(small, "c2", nil, nil); !errors.Is(err, ErrExhausted) {
		t.Fatalf("a full /30: %v", err)
	}
	ranged := testNetwork(t, CreateOptions{Name: "r", Subnets: []string{"10.71.0.0/24"}, IPRanges: []string{"10.71.0.200-10.71.0.201"}})
	for i, want := range []string{"10.71.0.200", "10.71.0.201"} {
		if a, err := m.Allocate(ranged, fmt.Sprint("r", i), nil, nil); err != nil || a[0] != addr(want) {
			t.Fatalf("ranged %d: %v, %v", i, a, err)
		}
	}
	if _, err := m.Allocate(ranged, "r3", nil, nil); !errors.Is(err, ErrExhausted) {
		t.Fatalf("a full range: %v", err)
	}
}

func TestIPAMParallel(t *testing.T) {
	m := IPAM{Dir: t.TempDir()}
	n := testNetwork(t, CreateOptions{Name: "p"})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[netip.Addr]string{}
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint("c", i)
			a, err := m.Allocate(n, id, nil, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if other, dup := seen[a[0]]; dup {
				t.Errorf("%s given to %s and %s", a[0], other, id)
			}
			seen[a[0]] = id
		}()
	}
	wg.Wait()
	if leases, err := m.Leases(n); err != nil || len(leases) != 50 {
		t.Fatalf("%d leases, %v", len(leases), err)
	}
}

func TestIPAMDamaged(t *testing.T) {
	m := IPAM{Dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(m.Dir, "ipam.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	n := testNetwork(t, CreateOptions{Name: "x"})
	if _, err := m.Allocate(n, "c", nil, nil); err == nil || !strings.Contains(err.Error(), "ipam.json") {
		t.Fatalf("damaged leases: %v", err)
	}
}
