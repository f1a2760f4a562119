package container

import (
	"strings"
	"testing"
)

func TestParseLogConfig(t *testing.T) {
	for _, tc := range []struct {
		driver string
		opts   []string
		want   LogConfig
		err    string
	}{
		{"", nil, LogConfig{Driver: "json-file"}, ""},
		{"json-file", []string{"max-size=10m,max-file=3"}, LogConfig{Driver: "json-file", MaxSize: 10 << 20, MaxFile: 3}, ""},
		{"k8s-file", []string{"max-size=1k", "max-file=2"}, LogConfig{Driver: "k8s-file", MaxSize: 1024, MaxFile: 2}, ""},
		{"json-file", []string{"max-size=100"}, LogConfig{Driver: "json-file", MaxSize: 100}, ""},
		{"none", nil, LogConfig{Driver: "none"}, ""},
		{"passthrough", nil, LogConfig{Driver: "passthrough"}, ""},
		{"none", []string{"max-size=1m"}, LogConfig{}, "takes no options"},
		{"syslog", nil, LogConfig{}, "use json-file"},
		{"", []string{"max-file=3"}, LogConfig{}, "needs max-size"},
		{"", []string{"max-file=0", "max-size=1m"}, LogConfig{}, "at least 1"},
		{"", []string{"max-size=lots"}, LogConfig{}, "size"},
		{"", []string{"tag=x"}, LogConfig{}, "unknown option"},
		{"", []string{"max-size"}, LogConfig{}, "KEY=VALUE"},
	} {
		got, err := ParseLogConfig(tc.driver, tc.opts)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseLogConfig(%q, %q) = %v, want error with %q", tc.driver, tc.opts, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLogConfig(%q, %q) = %+v, %v; want %+v", tc.driver, tc.opts, got, err, tc.want)
		}
	}
}
