package events

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestWriteReadConcurrentAndRotate(t *testing.T) {
	l := Open(t.TempDir())
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				code := i
				if err := l.Write(Event{Type: Container, Action: "died", ID: fmt.Sprintf("w%d-%d", w, i), ExitCode: &code}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	if err := l.Read(func(e Event) bool {
		if e.Version != Version || e.Time.IsZero() || e.Type != Container || e.Action != "died" || e.ExitCode == nil {
			t.Fatalf("event %+v", e)
		}
		seen[e.ID] = true
		return true
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 400 {
		t.Fatalf("read %d distinct events, want 400", len(seen))
	}
	// A full log is rotated; what was in it is still read, first.
	big := strings.Repeat("x", MaxSize-200)
	if err := l.Write(Event{Type: Image, Action: "tag", Name: big}); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(Event{Type: Volume, Action: "remove", Name: "after"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path() + ".1"); err != nil {
		t.Fatalf("no rotated log: %v", err)
	}
	var last string
	n := 0
	if err := l.Read(func(e Event) bool { n++; last = e.Name; return true }); err != nil {
		t.Fatal(err)
	}
	if last != "after" || n < 401 {
		t.Fatalf("after rotation: %d events, last %q", n, last)
	}
	// A nil log records nothing and fails nothing.
	var none *Log
	if err := none.Write(Event{}); err != nil || none.Read(func(Event) bool { return true }) != nil {
		t.Fatal("a nil log failed")
	}
}

func TestFollow(t *testing.T) {
	l := Open(t.TempDir())
	if err := l.Write(Event{Type: Container, Action: "create", ID: "old"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan string, 100)
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(ctx, func(e Event) bool {
			got <- e.ID
			return e.ID != "last"
		})
	}()
	if id := <-got; id != "old" {
		t.Fatalf("first event %q, want old", id)
	}
	// Written while it follows, across a rotation.
	if err := l.Write(Event{Type: Container, Action: "start", ID: "new"}); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != "new" {
		t.Fatalf("followed %q, want new", id)
	}
	if err := os.Rename(l.Path(), l.Path()+".1"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * pollEvery)
	if err := l.Write(Event{Type: Container, Action: "stop", ID: "last"}); err != nil {
		t.Fatal(err)
	}
	if id := <-got; id != "last" {
		t.Fatalf("after the rotation %q, want last", id)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
