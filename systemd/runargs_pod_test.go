package systemd

import (
	"strings"
	"testing"

	"github.com/pod-project/pod/container"
)

// TestRunArgsPodMember: a pod's container is written back with --pod and
// without what joining the pod put in its record (the infra's
// namespaces, host name and requirement), which --pod puts again.
func TestRunArgsPodMember(t *testing.T) {
	cfg := &container.Config{Name: "m", Image: "img", Pod: "p0d", Hostname: "web", Requires: []string{"other", "infra1"},
		NetworkMode: "container:infra1", IPC: "container:infra1", UTS: "container:infra1", PID: "host"}
	args, err := RunArgs(cfg, RunArgsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(args, " ")
	for _, want := range []string{"--pod p0d", "--requires other", "--pid host"} {
		if !strings.Contains(got, want) {
			t.Errorf("RunArgs lacks %q: %s", want, got)
		}
	}
	for _, not := range []string{"infra1", "--hostname", "--network", "--ipc", "--uts"} {
		if strings.Contains(got, not) {
			t.Errorf("RunArgs has %q, which --pod gives: %s", not, got)
		}
	}
	if cfg.NetworkMode != "container:infra1" || len(cfg.Requires) != 2 {
		t.Errorf("RunArgs changed the record's config: %+v", cfg)
	}
}
