package container

import (
	"bytes"
	"reflect"
	"testing"

	"go.podman.io/storage/pkg/archive"
)

func TestConvertChanges(t *testing.T) {
	add, mod, del := archive.ChangeType(archive.ChangeAdd), archive.ChangeType(archive.ChangeModify), archive.ChangeType(archive.ChangeDelete)
	tests := []struct {
		name string
		in   []archive.Change
		want []Change
	}{
		{"sorted by path",
			[]archive.Change{{Path: "/tmp/b", Kind: add}, {Path: "/tmp", Kind: mod}, {Path: "/a", Kind: del}},
			[]Change{{"D", "/a"}, {"C", "/tmp"}, {"A", "/tmp/b"}}},
		{"pod's /etc mount points left out, with the /etc change they made",
			[]archive.Change{{Path: "/etc", Kind: mod}, {Path: "/etc/hosts", Kind: add}, {Path: "/etc/hostname", Kind: add}, {Path: "/etc/resolv.conf", Kind: add}, {Path: "/x", Kind: add}},
			[]Change{{"A", "/x"}}},
		{"other /etc changes keep /etc",
			[]archive.Change{{Path: "/etc", Kind: mod}, {Path: "/etc/hosts", Kind: add}, {Path: "/etc/group", Kind: del}},
			[]Change{{"C", "/etc"}, {"D", "/etc/group"}}},
		{"a changed /etc/hosts is shown",
			[]archive.Change{{Path: "/etc", Kind: mod}, {Path: "/etc/hosts", Kind: mod}},
			[]Change{{"C", "/etc"}, {"C", "/etc/hosts"}}},
		{"nothing", nil, []Change{}},
	}
	for _, tt := range tests {
		if got := convertChanges(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: convertChanges = %v, want %v", tt.name, got, tt.want)
		}
	}
	var buf bytes.Buffer
	if err := WriteChanges(&buf, []Change{{"C", "/etc"}, {"A", "/x y"}}); err != nil || buf.String() != "C /etc\nA /x y\n" {
		t.Errorf("WriteChanges: %q %v", buf.String(), err)
	}
}
