package main

import (
	"testing"
	"time"

	"github.com/pod-project/pod/events"
)

func TestEventFilters(t *testing.T) {
	code := 3
	died := events.Event{Type: events.Container, Action: "died", ID: "abcdef123456", Name: "web", Image: "img", ExitCode: &code, Attributes: map[string]string{"app": "x"}}
	tag := events.Event{Type: events.Image, Action: "tag", ID: "", Name: "localhost/a:1"}
	for _, c := range []struct {
		filters []string
		e       events.Event
		want    bool
	}{
		{[]string{"container=web"}, died, true},
		{[]string{"container=abc"}, died, true},
		{[]string{"container=ab"}, died, false}, // too short for an ID prefix
		{[]string{"event=died", "event=start"}, died, true},
		{[]string{"status=died", "type=image"}, died, false},
		{[]string{"label=app=x"}, died, true},
		{[]string{"label=app=y"}, died, false},
		{[]string{"image=img"}, died, true},
		{[]string{"image=localhost/a:1"}, tag, true},
		{[]string{"type=image", "event=tag"}, tag, true},
		{[]string{"volume=web"}, died, false},
	} {
		f, err := parseEventFilters(c.filters)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.match(c.e); got != c.want {
			t.Errorf("%v on %s %s: %v, want %v", c.filters, c.e.Type, c.e.Action, got, c.want)
		}
	}
	if _, err := parseEventFilters([]string{"colour=red"}); err == nil {
		t.Error("colour=red: no error")
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	died.Time = at
	want := at.Local().Format("2006-01-02 15:04:05.000000000 -0700 MST") + " container died abcdef123456 (image=img, name=web, containerExitCode=3, app=x)"
	if got := newEventRow(died).line(); got != want {
		t.Errorf("line:\n %s\nwant\n %s", got, want)
	}
}
