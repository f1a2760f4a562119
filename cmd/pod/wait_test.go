package main

import (
	"testing"
	"time"
)

func TestParseInterval(t *testing.T) {
	for in, want := range map[string]time.Duration{"250ms": 250 * time.Millisecond, "100": 100 * time.Millisecond, "2s": 2 * time.Second, "0": 0} {
		if got, err := parseInterval(in); err != nil || got != want {
			t.Errorf("parseInterval(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "soon", "-1s", "-5"} {
		if _, err := parseInterval(in); err == nil {
			t.Errorf("parseInterval(%q): no error", in)
		}
	}
}
