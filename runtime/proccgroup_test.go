package runtime

import (
	"reflect"
	"testing"
)

func TestParseProcCgroups(t *testing.T) {
	hybrid := "12:memory:/pod/abc\n4:cpu,cpuacct:/pod/abc\n1:name=systemd:/x\n0::/user.slice\n"
	want := map[string]string{"memory": "/pod/abc", "cpu": "/pod/abc", "cpuacct": "/pod/abc", "name=systemd": "/x", "": "/user.slice"}
	if got := parseProcCgroups(hybrid); !reflect.DeepEqual(got, want) {
		t.Fatalf("hybrid: %v", got)
	}
	if got := parseProcCgroups("0::/a/b\n"); !reflect.DeepEqual(got, map[string]string{"": "/a/b"}) {
		t.Fatalf("v2: %v", got)
	}
}
