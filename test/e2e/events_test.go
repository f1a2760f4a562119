package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// eventsOf reads the actions the events log holds for the object id.
func (e *env) eventsOf(id string) []string {
	e.t.Helper()
	f, err := os.Open(filepath.Join(e.xdg, "pod", "events", "events.log"))
	if err != nil {
		e.t.Fatalf("events log: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ev struct {
			Version  int    `json:"version"`
			Type     string `json:"type"`
			Action   string `json:"action"`
			ID       string `json:"id"`
			ExitCode *int   `json:"exitCode"`
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			e.t.Fatalf("events log line %q: %v", sc.Text(), err)
		}
		if ev.ID != id {
			continue
		}
		a := ev.Type + " " + ev.Action
		if ev.ExitCode != nil {
			a += " " + strconv.Itoa(*ev.ExitCode)
		}
		if ev.Version != 1 {
			e.t.Fatalf("event %q has version %d, want 1", sc.Text(), ev.Version)
		}
		out = append(out, a)
	}
	return out
}

// TestEventsLog: the lifecycle and the monitor record what happened to a
// container in one log, in order.
func TestEventsLog(t *testing.T) {
	e := withImage(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "ev", testImage, "sh", "-c", "trap 'exit 3' TERM; while :; do sleep 0.1; done"))
	e.waitStatus("ev", "Up ", 30*time.Second)
	e.ok("stop", "ev")
	e.ok("rm", "ev")
	got := strings.Join(e.eventsOf(id), ", ")
	want := "container create, container start, container died 3, container stop, container remove"
	if got != want {
		t.Fatalf("events of the container:\n %s\nwant\n %s", got, want)
	}
}
