package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestEventsCommand: pod events shows what happened to containers and images,
// with Podman's default line, JSON keys, filters, --since/--until and
// streaming; --events-backend=none records nothing.
func TestEventsCommand(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("create", "--name", "ev", "--label", "app=x", testImage, "sh", "-c", "exit 3"))
	if r := e.pod("start", "-a", "ev"); r.code != 3 {
		t.Fatalf("start -a ev:\n%s", r)
	}
	e.ok("rm", "ev")
	e.ok("tag", testImage, "localhost/ev:1")
	e.ok("untag", "localhost/ev:1", "localhost/ev:1")
	e.ok("--events-backend", "none", "run", "--rm", "--name", "quiet", testImage, "true")

	out := e.ok("events", "--stream=false")
	for _, want := range []string{
		" container create " + id + " (image=" + testImage + ", name=ev, app=x)",
		" container start " + id + " ",
		" container died " + id + " (image=" + testImage + ", name=ev, containerExitCode=3, app=x)",
		" container remove " + id + " ",
		" image tag  localhost/ev:1",
		" image untag  localhost/ev:1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("pod events has no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "quiet") {
		t.Errorf("--events-backend=none recorded events:\n%s", out)
	}
	if got := e.ok("events", "--stream=false", "--filter", "event=died", "--format", "{{.Name}} {{.Status}} {{.ContainerExitCode}}"); got != "ev died 3\n" {
		t.Errorf("events --filter event=died: %q", got)
	}
	if got := e.ok("events", "--stream=false", "--filter", "label=app=x", "--filter", "status=remove", "--format", "{{.Status}}"); got != "remove\n" {
		t.Errorf("events --filter label=app=x --filter status=remove: %q", got)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines(e.ok("events", "--stream=false", "--format", "json", "--filter", "type=image", "--filter", "event=tag"))[0]), &first); err != nil ||
		first["Type"] != "image" || first["Status"] != "tag" || first["Name"] != "localhost/ev:1" {
		t.Errorf("events --format json: %v, %v", first, err)
	}
	if got := e.ok("events", "--stream=false", "--until", "1h"); got != "" {
		t.Errorf("events --until 1h (an hour ago): %q", got)
	}
	if r := e.pod("events", "--filter", "colour=red"); r.code != 125 {
		t.Errorf("events --filter colour=red:\n%s", r)
	}
	if r := e.pod("--events-backend", "journald", "ps"); r.code != 125 || !strings.Contains(r.stderr, "journald") {
		t.Errorf("--events-backend journald:\n%s", r)
	}

	// Streaming: what happens while it runs is shown, and --until ends it.
	ctx := e.command(t.Context(), "events", "--since", time.Now().Format(time.RFC3339Nano), "--until", time.Now().Add(3*time.Second).Format(time.RFC3339Nano), "--filter", "event=start", "--format", "{{.Name}}")
	var buf strings.Builder
	ctx.Stdout = &buf
	if err := ctx.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	e.ok("run", "--rm", "--name", "later", testImage, "true")
	done := make(chan error, 1)
	go func() { done <- ctx.Wait() }()
	select {
	case err := <-done:
		if err != nil || buf.String() != "later\n" {
			t.Errorf("streamed events: %q, %v", buf.String(), err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("events --until did not end")
	}
}
