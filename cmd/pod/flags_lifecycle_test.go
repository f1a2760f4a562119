package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/pod-project/pod/container"
)

// applyFlags parses args with the health, log and restart flags and
// applies them to a Config.
func applyFlags(args []string, rm bool) (*container.Config, error) {
	var h healthFlags
	var l logFlags
	var r restartFlags
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	h.register(fs)
	l.register(fs)
	r.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg := &container.Config{AutoRemove: rm}
	for _, apply := range []func(*container.Config) error{h.apply, l.apply, r.apply} {
		if err := apply(cfg); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func TestLifecycleFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		rm   bool
		want container.Config
		err  string
	}{
		{nil, false, container.Config{}, ""},
		{[]string{"--health-cmd", "curl -f localhost || exit 1", "--health-interval", "5s", "--health-retries", "2"}, false,
			container.Config{Health: &container.HealthConfig{Test: []string{"CMD-SHELL", "curl -f localhost || exit 1"}, Interval: 5 * time.Second, Retries: 2}}, ""},
		{[]string{"--health-cmd", `["stat", "/ok"]`}, false, container.Config{Health: &container.HealthConfig{Test: []string{"CMD", "stat", "/ok"}}}, ""},
		{[]string{"--health-cmd", `["CMD-SHELL", "true"]`, "--health-on-failure", "restart"}, false,
			container.Config{Health: &container.HealthConfig{Test: []string{"CMD-SHELL", "true"}, OnFailure: "restart"}}, ""},
		{[]string{"--health-timeout", "2s"}, false, container.Config{Health: &container.HealthConfig{Timeout: 2 * time.Second}}, ""},
		{[]string{"--no-healthcheck"}, false, container.Config{Health: &container.HealthConfig{Test: []string{"NONE"}}}, ""},
		{[]string{"--no-healthcheck", "--health-cmd", "true"}, false, container.Config{}, "conflicts"},
		{[]string{"--health-cmd", "[not json"}, false, container.Config{}, "JSON"},
		{[]string{"--health-on-failure", "explode"}, false, container.Config{}, "none, kill, restart or stop"},
		{[]string{"--health-retries", "-1"}, false, container.Config{}, ">= 0"},
		{[]string{"--health-interval", "1ns"}, false, container.Config{}, "1ms"},
		{[]string{"--log-driver", "k8s-file", "--log-opt", "max-size=1m", "--log-opt", "max-file=2"}, false,
			container.Config{LogConfig: container.LogConfig{Driver: "k8s-file", MaxSize: 1 << 20, MaxFile: 2}}, ""},
		{[]string{"--log-driver", "none"}, false, container.Config{LogConfig: container.LogConfig{Driver: "none"}}, ""},
		{[]string{"--log-driver", "json-file"}, false, container.Config{}, ""},
		{[]string{"--log-driver", "journald"}, false, container.Config{}, "json-file"},
		{[]string{"--restart", "on-failure:5"}, false, container.Config{RestartPolicy: "on-failure:5"}, ""},
		{[]string{"--restart", "always"}, false, container.Config{RestartPolicy: "always"}, ""},
		{[]string{"--restart", "no"}, true, container.Config{AutoRemove: true}, ""},
		{[]string{"--restart", "always"}, true, container.Config{}, "--rm"},
		{[]string{"--restart", "sometimes"}, false, container.Config{}, "invalid restart policy"},
	} {
		cfg, err := applyFlags(tc.args, tc.rm)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want one with %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !reflect.DeepEqual(*cfg, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, *cfg, tc.want)
		}
	}
}
