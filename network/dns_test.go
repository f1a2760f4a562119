package network

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// query is a DNS query message for name of type t.
func query(id uint16, name string, t uint16) []byte {
	m := []byte{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range splitLabels(name) {
		m = append(m, byte(len(l)))
		m = append(m, l...)
	}
	m = append(m, 0)
	m = binary.BigEndian.AppendUint16(m, t)
	return binary.BigEndian.AppendUint16(m, dnsClassIN)
}

func splitLabels(name string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(name); i++ {
		if i == len(name) || name[i] == '.' {
			out = append(out, name[start:i])
			start = i + 1
		}
	}
	return out
}

func TestParseQuery(t *testing.T) {
	q, err := parseQuery(query(0x1234, "DB.dns.podman", dnsTypeA))
	if err != nil || q.ID != 0x1234 || q.Name != "db.dns.podman" || q.Type != dnsTypeA || q.Class != dnsClassIN {
		t.Fatalf("parseQuery: %+v, %v", q, err)
	}
	bad := [][]byte{
		nil,
		query(1, "a", dnsTypeA)[:14],
		append([]byte{0, 1, 0x81, 0x80}, query(1, "a", 1)[4:]...), // a response
		append([]byte{0, 1, 1, 0, 0, 2}, query(1, "a", 1)[6:]...), // two questions
		append(query(1, "a", 1)[:12], 0xc0, 0x0c, 0, 1, 0, 1),     // a pointer
	}
	for i, m := range bad {
		if _, err := parseQuery(m); err == nil {
			t.Errorf("bad message %d accepted", i)
		}
	}
}

func TestAnswer(t *testing.T) {
	msg := query(7, "db", dnsTypeA)
	q, _ := parseQuery(msg)
	addrs := []netip.Addr{netip.MustParseAddr("10.89.0.2"), netip.MustParseAddr("fd00::2")}
	out := answer(msg, q, addrs, true)
	if binary.BigEndian.Uint16(out) != 7 || out[2]&0x80 == 0 || out[3]&0xf != 0 {
		t.Fatalf("header %x", out[:12])
	}
	if an := binary.BigEndian.Uint16(out[6:]); an != 1 {
		t.Fatalf("%d answers to an A query with one IPv4 address", an)
	}
	rr := out[q.end:]
	if len(rr) != 16 || rr[0] != 0xc0 || binary.BigEndian.Uint16(rr[2:]) != dnsTypeA || binary.BigEndian.Uint16(rr[10:]) != 4 ||
		netip.AddrFrom4([4]byte(rr[12:16])) != addrs[0] {
		t.Fatalf("answer record %x", rr)
	}
	q6msg := query(8, "db", dnsTypeAAAA)
	q6, _ := parseQuery(q6msg)
	if out := answer(q6msg, q6, addrs, true); binary.BigEndian.Uint16(out[6:]) != 1 || len(out) != q6.end+28 {
		t.Fatalf("AAAA answer %x", out)
	}
	nx := answer(msg, q, nil, false)
	if nx[3]&0xf != dnsRcodeNXDomain || binary.BigEndian.Uint16(nx[6:]) != 0 {
		t.Fatalf("NXDOMAIN %x", nx[:12])
	}
}

func TestLookupName(t *testing.T) {
	nl := &networkLeases{
		Leases: map[netip.Addr]string{netip.MustParseAddr("10.89.0.3"): "c1", netip.MustParseAddr("10.89.0.2"): "c2"},
		Names:  map[string][]string{"c1": {"web", "0123456789ab", "www"}, "c2": {"db"}},
	}
	for name, want := range map[string]string{"web": "10.89.0.3", "WWW": "10.89.0.3", "0123456789ab": "10.89.0.3", "db.dns.podman": "10.89.0.2"} {
		a, known := lookupName(nl, name)
		if !known || len(a) != 1 || a[0].String() != want {
			t.Errorf("lookupName(%s) = %v, %v", name, a, known)
		}
	}
	if _, known := lookupName(nl, "nosuch"); known {
		t.Error("an unknown name was found")
	}
}
