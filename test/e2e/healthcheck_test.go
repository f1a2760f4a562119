package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// healthRun starts a container held in the foreground by the test (no
// dependence on run -d) and waits for it to run.
func (e *env) healthRun(name string, args ...string) *session {
	e.t.Helper()
	s := e.startPiped(append([]string{"run", "--name", name}, args...)...)
	if !eventually(60*time.Second, func() bool {
		return strings.Contains(e.pod("ps", "--format", "{{.Names}} {{.State}}").stdout, name+" running")
	}) {
		e.t.Fatalf("container %s did not come up: %q %q", name, s.output(), s.stderr.String())
	}
	// Let a monitor that runs checks reset the health to starting first.
	eventually(time.Second, func() bool {
		return e.lhrField(name, "{{if .State.Health}}{{.State.Health.Status}}{{end}}") != ""
	})
	return s
}

// pod healthcheck run: exit 0 healthy, 1 with the status printed, 125
// when there is nothing to check; the result lands in inspect and ps.
func TestHealthcheckRun(t *testing.T) {
	e := withImage(t)
	e.healthRun("hc", "--health-cmd", "test -e /tmp/ok && echo fine", "--health-retries", "2", testImage, "sh", "-c", "sleep 3; touch /tmp/ok; sleep 1000")
	expect(t, e.pod("healthcheck", "run", "hc"), 1, "starting\n")
	expect(t, e.pod("healthcheck", "run", "hc"), 1, "unhealthy\n")
	if got := e.lhrField("hc", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}"); got != "unhealthy 2" {
		t.Fatalf("health after two failures: %q", got)
	}
	if out := e.ok("ps", "--filter", "health=unhealthy", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(out, "hc Up ") || !strings.HasSuffix(out, " (unhealthy)\n") {
		t.Fatalf("ps --filter health=unhealthy: %q", out)
	}
	if !eventually(30*time.Second, func() bool { return e.pod("healthcheck", "run", "hc").code == 0 }) {
		t.Fatal("healthcheck run never passed")
	}
	var health struct {
		Status        string
		FailingStreak int
		Log           []struct {
			ExitCode int
			Output   string
			Start    time.Time
			End      time.Time
		}
	}
	out := e.lhrField("hc", "{{json .State.Health}}")
	if err := json.Unmarshal([]byte(out), &health); err != nil {
		t.Fatalf("State.Health: %v\n%s", err, out)
	}
	last := health.Log[len(health.Log)-1]
	if health.Status != "healthy" || health.FailingStreak != 0 || len(health.Log) < 3 || len(health.Log) > 5 ||
		last.ExitCode != 0 || last.Output != "fine\n" || last.End.Before(last.Start) || health.Log[0].ExitCode != 1 {
		t.Fatalf("State.Health: %s", out)
	}
	if out := e.ok("ps", "--filter", "health=healthy", "--format", "{{.Names}} {{.Status}}"); !strings.HasSuffix(out, " (healthy)\n") {
		t.Fatalf("ps --filter health=healthy: %q", out)
	}
	expect(t, e.pod("ps", "--filter", "health=none", "-q"), 0, "")

	t.Run("exec form", func(t *testing.T) {
		e.healthRun("hx", "--health-cmd", `["test", "-d", "/tmp"]`, testImage, "sleep", "1000")
		expect(t, e.pod("healthcheck", "run", "hx"), 0, "")
		if got := e.lhrField("hx", "{{json .Config.Healthcheck.Test}}"); got != `["CMD","test","-d","/tmp"]` {
			t.Fatalf("Config.Healthcheck.Test: %s", got)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		e.healthRun("ht", "--health-cmd", "sleep 10", "--health-timeout", "500ms", "--health-retries", "1", testImage, "sleep", "1000")
		start := time.Now()
		expect(t, e.pod("healthcheck", "run", "ht"), 1, "unhealthy\n")
		if d := time.Since(start); d > 8*time.Second {
			t.Fatalf("the check ran %v past its 500ms timeout", d)
		}
		if got := e.lhrField("ht", "{{(index .State.Health.Log 0).ExitCode}} {{(index .State.Health.Log 0).Output}}"); got != "-1 Health check exceeded timeout (500ms)" {
			t.Fatalf("timed out probe: %q", got)
		}
	})
	t.Run("nothing to check", func(t *testing.T) {
		e.healthRun("plain", testImage, "sleep", "1000")
		expectError(t, e.pod("healthcheck", "run", "plain"), 125, "no health check")
		expect(t, e.pod("run", "--name", "gone", "--health-cmd", "true", testImage, "true"), 0, "")
		expectError(t, e.pod("healthcheck", "run", "gone"), 125, "not running")
		expectError(t, e.pod("healthcheck", "run", "nosuch"), 125, "nosuch")
		expect(t, e.pod("run", "--name", "off", "--no-healthcheck", testImage, "true"), 0, "")
		if got := e.lhrField("off", "{{json .Config.Healthcheck.Test}}"); got != `["NONE"]` {
			t.Fatalf("--no-healthcheck: %s", got)
		}
	})
	t.Run("flag errors", func(t *testing.T) {
		expectError(t, e.pod("run", "--no-healthcheck", "--health-cmd", "true", testImage, "true"), 125, "conflicts")
		expectError(t, e.pod("run", "--health-on-failure", "explode", testImage, "true"), 125, "health-on-failure")
		expectError(t, e.pod("run", "--health-interval", "soon", testImage, "true"), 125, "health-interval")
	})
}

// The monitor runs the check every interval: starting, then healthy; a
// container that turns unhealthy with --health-on-failure kill is killed.
func TestHealthMonitor(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "hm", "--health-cmd", "test -e /tmp/ok", "--health-interval", "300ms", "--health-retries", "2",
		testImage, "sh", "-c", "sleep 2; touch /tmp/ok; sleep 1000")
	if st := e.lhrField("hm", "{{with .State.Health}}{{.Status}}{{end}}"); st != "starting" && st != "healthy" {
		t.Fatalf("health right after start: %q", st)
	}
	e.lhrWait("hm", "{{.State.Health.Status}}", "healthy", 60*time.Second)
	if out := e.ok("ps", "--format", "{{.Names}} {{.Status}}"); !strings.Contains(out, "hm Up") || !strings.Contains(out, "(healthy)") {
		t.Fatalf("ps: %q", out)
	}

	e.ok("run", "-d", "--name", "hk", "--health-cmd", "false", "--health-interval", "300ms", "--health-retries", "2",
		"--health-on-failure", "kill", testImage, "sleep", "1000")
	e.lhrWait("hk", "{{.State.Status}}", "exited", 60*time.Second)
	if got := e.lhrField("hk", "{{.State.Health.Status}}"); got != "unhealthy" {
		t.Fatalf("killed for being unhealthy, health %q", got)
	}
}
