package userns

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	const file = `# comment
alice:100000:65536
1001:300000:1000
bob:200000:65536
alice:500000:10
broken line
carol:x:10
alice:600000:0
`
	cases := []struct {
		name string
		id   int
		want []Range
	}{
		{"alice", 1000, []Range{{100000, 65536}, {500000, 10}}},
		{"dave", 1001, []Range{{300000, 1000}}},
		{"bob", 1002, []Range{{200000, 65536}}},
		{"carol", 1003, nil},
		{"", 1001, []Range{{300000, 1000}}},
		{"nobody", 4242, nil},
	}
	for _, c := range cases {
		got, err := ParseSubIDs(strings.NewReader(file), c.name, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseSubIDs(%q, %d) = %v, want %v", c.name, c.id, got, c.want)
		}
	}
}

func TestMapArgs(t *testing.T) {
	got := MapArgs(42, 1000, []Range{{100000, 65536}, {500000, 10}})
	want := []string{"42", "0", "1000", "1", "1", "100000", "65536", "65537", "500000", "10"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("MapArgs = %v, want %v", got, want)
	}
	if n := MappedSize([]Range{{100000, 65536}, {500000, 10}}); n != 65547 {
		t.Fatalf("MappedSize = %d", n)
	}
}

func TestReadSubIDsNoRange(t *testing.T) {
	p := filepath.Join(t.TempDir(), "subuid")
	if err := os.WriteFile(p, []byte("other:1:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadSubIDs(p, "alice", 1000)
	if !errors.Is(err, ErrNoSubIDRange) || !strings.Contains(err.Error(), "alice") || !strings.Contains(err.Error(), p) {
		t.Fatalf("err = %v", err)
	}
	_, err = ReadSubIDs(filepath.Join(t.TempDir(), "missing"), "alice", 1000)
	if !errors.Is(err, ErrNoSubIDRange) {
		t.Fatalf("missing file: err = %v", err)
	}
}
