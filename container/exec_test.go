package container

import (
	"reflect"
	"testing"
)

func TestExecEnv(t *testing.T) {
	base := []string{"PATH=/bin", "HOME=/root", "A=1"}
	tests := []struct {
		name      string
		overrides []string
		tty       bool
		home      string
		want      []string
	}{
		{"container's", nil, false, "", base},
		{"overrides replace and add", []string{"A=2", "B=3"}, false, "", []string{"PATH=/bin", "HOME=/root", "A=2", "B=3"}},
		{"bare key removes", []string{"A"}, false, "", []string{"PATH=/bin", "HOME=/root"}},
		{"tty adds TERM", nil, true, "", []string{"PATH=/bin", "HOME=/root", "A=1", "TERM=xterm"}},
		{"tty keeps a given TERM", []string{"TERM=vt100"}, true, "", []string{"PATH=/bin", "HOME=/root", "A=1", "TERM=vt100"}},
		{"user's home", nil, false, "/home/user", []string{"PATH=/bin", "HOME=/home/user", "A=1"}},
		{"-e HOME wins over the user's", []string{"HOME=/x"}, false, "/home/user", []string{"PATH=/bin", "HOME=/x", "A=1"}},
	}
	for _, tt := range tests {
		got := ExecEnv(base, tt.overrides, tt.tty, tt.home)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: ExecEnv = %v, want %v", tt.name, got, tt.want)
		}
	}
	if base[2] != "A=1" || len(base) != 3 {
		t.Errorf("ExecEnv changed its input: %v", base)
	}
	for dir, ok := range map[string]bool{"/tmp": true, "/": true, "tmp": false, "": false, "./x": false} {
		if ValidExecWorkdir(dir) != ok {
			t.Errorf("ValidExecWorkdir(%q) = %v", dir, !ok)
		}
	}
}
