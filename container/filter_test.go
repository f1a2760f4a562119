package container

import (
	"testing"
	"time"
)

func TestFiltersUntil(t *testing.T) {
	old := &Record{Config: Config{Name: "old", Created: time.Now().Add(-2 * time.Hour), Labels: map[string]string{"a": "1"}}}
	young := &Record{Config: Config{Name: "young", Created: time.Now().Add(-time.Minute)}}
	f, err := ParseFilters([]string{"until=1h"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(old) || f.Match(young) {
		t.Errorf("until=1h: old %v, young %v; want true, false", f.Match(old), f.Match(young))
	}
	f, err = ParseFilters([]string{"until=1h", "label=a"})
	if err != nil || !f.Match(old) {
		t.Errorf("until=1h with label=a: %v, %v", f.Match(old), err)
	}
	if _, err := ParseFilters([]string{"until=soon"}); err == nil {
		t.Error("until=soon: no error")
	}
}
