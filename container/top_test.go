package container

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

func TestFilterPs(t *testing.T) {
	out := "UID        PID  PPID  C STIME TTY          TIME CMD\n" +
		"root         1     0  0 10:00 ?        00:00:01 /sbin/init\n" +
		"100000    4242  4230  0 10:01 ?        00:00:00 sleep 1000\n" +
		"100000    4250  4242  0 10:01 pts/0    00:00:00 sh -c echo 4242\n" +
		"podtest   4300     1  0 10:02 ?        00:00:00 pod run\n"
	tests := []struct {
		name string
		out  string
		pids map[int]bool
		want string
		err  bool
	}{
		{"keeps header and the container's rows", out, map[int]bool{4242: true, 4250: true},
			"UID        PID  PPID  C STIME TTY          TIME CMD\n" +
				"100000    4242  4230  0 10:01 ?        00:00:00 sleep 1000\n" +
				"100000    4250  4242  0 10:01 pts/0    00:00:00 sh -c echo 4242\n", false},
		{"PPID or CMD matches do not count", out, map[int]bool{4230: true}, "UID        PID  PPID  C STIME TTY          TIME CMD\n", false},
		{"pid in another column", "  PID COMMAND\n 4242 sleep\n 9 x\n", map[int]bool{4242: true}, "  PID COMMAND\n 4242 sleep\n", false},
		{"no PID column", "COMMAND\nsleep\n", map[int]bool{1: true}, "", true},
		{"empty", "", nil, "", true},
	}
	for _, tt := range tests {
		got, err := FilterPs(tt.out, tt.pids)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("%s: FilterPs = %q, %v; want %q (error %v)", tt.name, got, err, tt.want, tt.err)
		}
	}
}

func TestNamespacePids(t *testing.T) {
	proc := t.TempDir()
	ns := map[int]string{1: "pid:[4026531836]", 10: "pid:[4026532999]", 11: "pid:[4026532999]", 12: "pid:[4026531836]", 13: ""}
	for pid, link := range ns {
		dir := filepath.Join(proc, strconv.Itoa(pid), "ns")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if link != "" {
			if err := os.Symlink(link, filepath.Join(dir, "pid")); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Mkdir(filepath.Join(proc, "self"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := NamespacePids(proc, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[int]bool{10: true, 11: true}; !reflect.DeepEqual(got, want) {
		t.Errorf("NamespacePids = %v, want %v", got, want)
	}
	if _, err := NamespacePids(proc, 99); err == nil {
		t.Errorf("NamespacePids of a missing pid: no error")
	}
}
