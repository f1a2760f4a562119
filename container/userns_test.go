package container

import (
	"reflect"
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
	for _, ok := range []string{"", "keep-id", "host", "private"} {
		if err := CheckUserNS(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"auto", "nomap", "ns:/proc/1/ns/user", "bogus"} {
		if err := CheckUserNS(bad); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}
