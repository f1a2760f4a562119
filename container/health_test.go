package container

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pod-project/pod/procid"
)

func runningRecord(cfg Config, health *HealthState) *Record {
	r := &Record{Config: cfg, State: State{Status: StatusRunning, StartedAt: time.Now().Add(-3 * time.Minute), Health: health}}
	r.State.SetInit(procid.Self())
	return r
}

func TestHealthStatusAndDescribe(t *testing.T) {
	check := &HealthConfig{Test: []string{"CMD-SHELL", "true"}}
	for _, tc := range []struct {
		name   string
		r      *Record
		status string
		suffix string
	}{
		{"no check", runningRecord(Config{}, nil), "none", ""},
		{"disabled", runningRecord(Config{Health: &HealthConfig{Test: []string{"NONE"}}}, nil), "none", ""},
		{"configured, no probe yet", runningRecord(Config{Health: check}, nil), "starting", ""},
		{"starting", runningRecord(Config{Health: check}, &HealthState{Status: "starting"}), "starting", " (health: starting)"},
		{"healthy", runningRecord(Config{Health: check}, &HealthState{Status: "healthy"}), "healthy", " (healthy)"},
		{"unhealthy", runningRecord(Config{Health: check}, &HealthState{Status: "unhealthy"}), "unhealthy", " (unhealthy)"},
		{"exited", &Record{Config: Config{Health: check}, State: State{Status: StatusExited, Health: &HealthState{Status: "healthy"}}}, "none", ""},
	} {
		if got := tc.r.HealthStatus(); got != tc.status {
			t.Errorf("%s: HealthStatus() = %q, want %q", tc.name, got, tc.status)
		}
		desc := tc.r.State.Describe(time.Now())
		if tc.r.State.Status == StatusRunning && desc != "Up 3 minutes"+tc.suffix {
			t.Errorf("%s: Describe() = %q, want %q", tc.name, desc, "Up 3 minutes"+tc.suffix)
		}
		if tc.r.State.Status == StatusExited && strings.Contains(desc, "health") {
			t.Errorf("%s: Describe() = %q shows health of an exited container", tc.name, desc)
		}
	}
}

func TestFilterHealthAndRestartPolicy(t *testing.T) {
	check := &HealthConfig{Test: []string{"CMD", "true"}}
	recs := map[string]*Record{
		"plain":     runningRecord(Config{Name: "plain"}, nil),
		"healthy":   runningRecord(Config{Name: "healthy", Health: check, RestartPolicy: "always"}, &HealthState{Status: "healthy"}),
		"unhealthy": runningRecord(Config{Name: "unhealthy", Health: check, RestartPolicy: "on-failure:5"}, &HealthState{Status: "unhealthy"}),
		"starting":  runningRecord(Config{Name: "starting", Health: check, RestartPolicy: "no"}, nil),
		"stopped":   {Config: Config{Name: "stopped", RestartPolicy: "unless-stopped"}, State: State{Status: StatusExited}},
	}
	for _, tc := range []struct {
		filters []string
		want    string
	}{
		{[]string{"health=healthy"}, "healthy"},
		{[]string{"health=unhealthy"}, "unhealthy"},
		{[]string{"health=starting"}, "starting"},
		{[]string{"health=none"}, "plain stopped"},
		{[]string{"health=healthy", "health=unhealthy"}, "healthy unhealthy"},
		{[]string{"restart-policy=always"}, "healthy"},
		{[]string{"restart-policy=on-failure"}, "unhealthy"},
		{[]string{"restart-policy=no"}, "plain starting"},
		{[]string{"restart-policy=unless-stopped"}, "stopped"},
		{[]string{"restart-policy=no", "health=starting"}, "starting"},
	} {
		f, err := ParseFilters(tc.filters)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, name := range []string{"healthy", "plain", "starting", "stopped", "unhealthy"} {
			if f.Match(recs[name]) {
				got = append(got, name)
			}
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%q matched %q, want %q", tc.filters, got, tc.want)
		}
	}
	for _, bad := range []string{"health=fine", "restart-policy=sometimes", "restart-policy=on-failure:3"} {
		if _, err := ParseFilters([]string{bad}); err == nil {
			t.Errorf("ParseFilters(%q) accepted", bad)
		}
	}
}

func TestInspectLifecycle(t *testing.T) {
	check := &HealthConfig{Test: []string{"CMD-SHELL", "true"}, Interval: time.Second}
	r := runningRecord(Config{Name: "c", RestartPolicy: "on-failure:5", Health: check,
		LogConfig: LogConfig{Driver: "k8s-file", MaxSize: 10 << 20, MaxFile: 3}}, nil)
	d := r.Inspect("overlay")
	if d.HostConfig.RestartPolicy != (InspectRestartPolicy{Name: "on-failure", MaximumRetryCount: 5}) {
		t.Errorf("RestartPolicy %+v", d.HostConfig.RestartPolicy)
	}
	want := InspectLogConfig{Type: "k8s-file", Config: map[string]string{"max-size": "10m", "max-file": "3"}, Path: r.LogPath(), Size: "10.49MB"}
	if !reflect.DeepEqual(d.HostConfig.LogConfig, want) {
		t.Errorf("LogConfig %+v", d.HostConfig.LogConfig)
	}
	if d.Config.Healthcheck != check || d.State.Health == nil || d.State.Health.Status != "starting" {
		t.Errorf("Healthcheck %+v Health %+v", d.Config.Healthcheck, d.State.Health)
	}
	plain := runningRecord(Config{Name: "p"}, nil).Inspect("overlay")
	if plain.HostConfig.RestartPolicy.Name != "no" || plain.HostConfig.LogConfig.Type != "json-file" || plain.State.Health != nil || plain.Config.Healthcheck != nil {
		t.Errorf("defaults: %+v %+v %+v", plain.HostConfig.RestartPolicy, plain.HostConfig.LogConfig, plain.State.Health)
	}
	if s := sizeString(1500); s != "1500" {
		t.Errorf("sizeString(1500) = %q", s)
	}
}
