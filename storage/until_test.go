package storage

import (
	"testing"
	"time"
)

func TestParseUntil(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"24h":                  now.Add(-24 * time.Hour),
		"1700000000":           time.Unix(1700000000, 0),
		"2025-06-01":           time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		"2025-06-01T10:00:00Z": time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC),
	} {
		if got, err := ParseUntil(in, now); err != nil || !got.Equal(want) {
			t.Errorf("until %s: %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "soon", "2025-13-01"} {
		if _, err := ParseUntil(bad, now); err == nil {
			t.Errorf("until %q: no error", bad)
		}
	}
}
