package container

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestKeepIDMap(t *testing.T) {
	size, zero, err := NSSize(strings.NewReader("         0       1000          1\n         1     100000      65536\n"))
	if err != nil || size != 65537 || zero != 1000 {
		t.Fatalf("NSSize: %d %d %v", size, zero, err)
	}
	m, err := KeepIDMap(1000, 1000, size, size)
	if err != nil {
		t.Fatal(err)
	}
	want := []IDRange{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}}
	if !reflect.DeepEqual(m.UIDs, want) || !reflect.DeepEqual(m.GIDs, want) || m.UID != 1000 {
		t.Fatalf("keep-id map %+v", m)
	}
	// Every ID of the namespace is used once.
	var n uint32
	for _, r := range m.UIDs {
		n += r.Size
	}
	if n != size {
		t.Fatalf("the map covers %d IDs of %d", n, size)
	}
	if _, err := KeepIDMap(70000, 1000, size, size); err == nil {
		t.Fatal("an ID outside the namespace was mapped")
	}
	for _, ok := range []string{"", "keep-id", "host", "private", "nomap", "auto", "auto:size=10,uidmapping=0:5:1"} {
		if err := CheckUserNS(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"auto:size=0", "auto:bogus=1", "auto:uidmapping=1", "ns:/proc/1/ns/user", "bogus"} {
		if err := CheckUserNS(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestParseIDMapping(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want []IDRange
		err  string
	}{
		{in: []string{"0:1:1000"}, want: []IDRange{{0, 1, 1000}}},
		{in: []string{"0:1:1000", "1000:0:1"}, want: []IDRange{{0, 1, 1000}, {1000, 0, 1}}},
		{in: []string{"0:1:1000,1000:0:1"}, want: []IDRange{{0, 1, 1000}, {1000, 0, 1}}},
		{in: []string{"0:1:1000:1000:0:1"}, want: []IDRange{{0, 1, 1000}, {1000, 0, 1}}},
		{in: []string{"0:1"}, err: "CONTAINER:HOST:SIZE"},
		{in: []string{"0:x:5"}, err: `"x" is not an ID`},
		{in: []string{"0:1:0"}, err: "empty"},
		{in: []string{"0:1:10", "5:100:10"}, err: "overlap"},
		{in: []string{"0:1:10", "100:5:10"}, err: "overlap"},
		{in: []string{"4294967290:1:10"}, err: "beyond the last ID"},
	} {
		got, err := ParseIDMapping("--uidmap", tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--uidmap") {
				t.Errorf("%q: error %v, want one with %q naming the flag", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	if err := CheckWithin("--uidmap", []IDRange{{0, 1, 65536}}, 65537); err != nil {
		t.Errorf("a map that fills the namespace: %v", err)
	}
	if err := CheckWithin("--uidmap", []IDRange{{0, 1, 65537}}, 65537); err == nil || !strings.Contains(err.Error(), "reaches ID 65537") {
		t.Errorf("a map one beyond the namespace: %v", err)
	}
}

// TestAutoUserNS: auto's ranges are the first free block of its size, and
// its fixed mappings land inside that block.
func TestAutoUserNS(t *testing.T) {
	used := []IDRange{{HostID: 1, Size: 1024}, {HostID: 3000, Size: 100}}
	for _, tc := range []struct {
		n, want uint32
		ok      bool
	}{{1024, 1025, true}, {1975, 1025, true}, {1976, 3100, true}, {62437, 3100, true}, {62438, 0, false}} {
		got, ok := FreeRange(1, 65537, tc.n, used)
		if ok != tc.ok || got != tc.want {
			t.Errorf("FreeRange(%d) = %d, %v; want %d, %v", tc.n, got, ok, tc.want, tc.ok)
		}
	}
	a, err := ParseAutoUserNS("auto:size=100,uidmapping=0:10:5")
	if err != nil || a.Size != 100 {
		t.Fatalf("ParseAutoUserNS: %+v, %v", a, err)
	}
	uids, gids, err := a.AutoMap(5000, 100)
	if err != nil || len(uids) != 1 || uids[0] != (IDRange{0, 5010, 5}) || len(gids) != 1 || gids[0] != (IDRange{0, 5000, 100}) {
		t.Fatalf("AutoMap: %v %v %v", uids, gids, err)
	}
	if _, _, err := (AutoUserNS{UIDMapping: []IDRange{{0, 90, 20}}}).AutoMap(5000, 100); err == nil {
		t.Fatal("a mapping beyond the block was taken")
	}
}

// TestSplitAlong: a nested map's lines are cut where the parent's lines
// meet (keep-id across a user's two /etc/subuid ranges).
func TestSplitAlong(t *testing.T) {
	parent, err := ReadIDMap(strings.NewReader("         0       1001          1\n         1     200000      65536\n     65537     265536      65536\n"))
	if err != nil || len(parent) != 3 {
		t.Fatalf("ReadIDMap: %v %v", parent, err)
	}
	got := SplitAlong([]IDRange{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 130071}, {200000, 65000, 1000}}, parent)
	want := []IDRange{{0, 1, 1001}, {1001, 0, 1}, {1002, 1002, 64535}, {65537, 65537, 65536}, {200000, 65000, 537}, {200537, 65537, 463}}
	if !slices.Equal(got, want) {
		t.Fatalf("SplitAlong:\n got %v\nwant %v", got, want)
	}
}
