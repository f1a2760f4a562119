package container

import "testing"

func TestSystemdMode(t *testing.T) {
	cases := []struct {
		flag string
		cmd  []string
		want bool
	}{
		{"", []string{"/sbin/init"}, true},
		{"", []string{"/usr/sbin/init"}, true},
		{"", []string{"/usr/local/sbin/init"}, true},
		{"", []string{"/lib/systemd/systemd", "--log-level=debug"}, true},
		{"", []string{"systemd"}, true},
		{"", []string{"/bin/sh", "-c", "/sbin/init"}, false},
		{"", []string{"/opt/init"}, false},
		{"", nil, false},
		{SystemdFalse, []string{"/sbin/init"}, false},
		{SystemdAlways, []string{"/bin/sh"}, true},
	}
	for _, c := range cases {
		if got := SystemdMode(&Config{Systemd: c.flag, Command: c.cmd}); got != c.want {
			t.Errorf("--systemd=%q %v: %v, want %v", c.flag, c.cmd, got, c.want)
		}
	}
}
