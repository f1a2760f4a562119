package e2e

import (
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// on-failure:N restarts a failing container N times, with a growing delay
// (100 ms doubling), and counts the restarts in inspect.
func TestRestartPolicyOnFailure(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "of", "--restart", "on-failure:3", testImage, "sh", "-c", "echo run; exit 3")
	e.lhrWait("of", "{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}", "exited 3 3", 60*time.Second)
	if got := e.lhrField("of", "{{json .HostConfig.RestartPolicy}}"); got != `{"Name":"on-failure","MaximumRetryCount":3}` {
		t.Fatalf("HostConfig.RestartPolicy: %s", got)
	}
	// The log's timestamps show the delays between the runs.
	out := e.ok("logs", "-f", "-t", "of")
	var times []time.Time
	for _, m := range regexp.MustCompile(`(?m)^(\S+) run$`).FindAllStringSubmatch(out, -1) {
		ts, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			t.Fatal(err)
		}
		times = append(times, ts)
	}
	if len(times) != 4 {
		t.Fatalf("want 4 runs in the log:\n%s", out)
	}
	for i, min := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		if gap := times[i+1].Sub(times[i]); gap < min {
			t.Fatalf("restart %d came %v after the previous run, before its %v backoff:\n%s", i+1, gap, min, out)
		}
	}

	// A success is not restarted by on-failure.
	e.ok("run", "-d", "--name", "ok", "--restart", "on-failure", testImage, "true")
	e.lhrWait("ok", "{{.State.Status}} {{.State.ExitCode}}", "exited 0", 60*time.Second)
	time.Sleep(time.Second)
	if got := e.lhrField("ok", "{{.RestartCount}}"); got != "0" {
		t.Fatalf("on-failure restarted a container that exited 0: RestartCount %s", got)
	}
	// Nor is anything by no.
	e.ok("run", "-d", "--name", "no", "--restart", "no", testImage, "sh", "-c", "exit 1")
	e.lhrWait("no", "{{.State.Status}} {{.State.ExitCode}}", "exited 1", 60*time.Second)
	time.Sleep(time.Second)
	if got := e.lhrField("no", "{{.RestartCount}}"); got != "0" {
		t.Fatalf("--restart no restarted: RestartCount %s", got)
	}
}

// always brings a killed container back; pod stop is final.
func TestRestartPolicyAlways(t *testing.T) {
	e := withImage(t)
	e.ok("run", "-d", "--name", "al", "--restart", "always", testImage, "sleep", "1000")
	e.lhrWait("al", "{{.State.Status}}", "running", 60*time.Second)
	pid, _ := strconv.Atoi(e.lhrField("al", "{{.State.Pid}}"))
	if pid <= 0 {
		t.Fatalf("no pid for a running container")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var got string
	if !eventually(60*time.Second, func() bool {
		got = strings.TrimSpace(e.pod("container", "inspect", "--format", "{{.State.Status}} {{.RestartCount}} {{.State.Pid}}", "al").stdout)
		f := strings.Fields(got)
		return len(f) == 3 && f[0] == "running" && f[1] == "1" && f[2] != strconv.Itoa(pid) && f[2] != "0"
	}) {
		t.Fatalf("always did not restart the killed container: %q", got)
	}
	if out := e.ok("ps", "--filter", "restart-policy=always", "--format", "{{.Names}}"); out != "al\n" {
		t.Fatalf("ps --filter restart-policy=always: %q", out)
	}
	expect(t, e.pod("ps", "--filter", "restart-policy=on-failure", "-q"), 0, "")
	e.ok("stop", "-t", "1", "al")
	e.lhrWait("al", "{{.State.Status}}", "exited", 30*time.Second)
	time.Sleep(2 * time.Second)
	if got := e.lhrField("al", "{{.State.Status}} {{.RestartCount}}"); got != "exited 1" {
		t.Fatalf("a container stopped by pod stop came back: %q", got)
	}
}

func TestRestartPolicyFlags(t *testing.T) {
	e := withImage(t)
	expectError(t, e.pod("run", "--rm", "--restart", "always", testImage, "true"), 125, "--rm")
	expectError(t, e.pod("run", "--restart", "sometimes", testImage, "true"), 125, "sometimes")
	expectError(t, e.pod("run", "--restart", "always:3", testImage, "true"), 125, "on-failure")
	expectError(t, e.pod("ps", "--filter", "restart-policy=maybe"), 125, "restart-policy")
	expect(t, e.pod("run", "--name", "def", testImage, "true"), 0, "")
	if got := e.lhrField("def", "{{.HostConfig.RestartPolicy.Name}}"); got != "no" {
		t.Fatalf("default restart policy %q", got)
	}
}
