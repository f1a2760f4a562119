package image

import (
	"testing"
	"time"
)

func TestHumanSize(t *testing.T) {
	tests := map[int64]string{0: "0B", 999: "999B", 1000: "1kB", 4260000: "4.26MB", 1234567890: "1.23GB", 72_300_000: "72.3MB"}
	for in, want := range tests {
		if got := HumanSize(in); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", in, got, want)
		}
	}
	if got := SizeString(4260000, false); got != "4260000" {
		t.Errorf("SizeString(raw) = %q", got)
	}
	if got := SizeString(4260000, true); got != "4.26MB" {
		t.Errorf("SizeString(human) = %q", got)
	}
}

func TestCreatedSince(t *testing.T) {
	now := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		ago  time.Duration
		want string
	}{
		{0, "Less than a second ago"},
		{30 * time.Second, "30 seconds ago"},
		{2 * time.Minute, "2 minutes ago"},
		{time.Hour, "About an hour ago"},
		{3 * 24 * time.Hour, "3 days ago"},
		{-time.Minute, "Less than a second ago"},
	}
	for _, tt := range tests {
		if got := CreatedSince(now.Add(-tt.ago), now); got != tt.want {
			t.Errorf("CreatedSince(-%v) = %q, want %q", tt.ago, got, tt.want)
		}
	}
	if got := CreatedSince(time.Time{}, now); got != "N/A" {
		t.Errorf("CreatedSince(zero) = %q", got)
	}
}

func TestCreatedAt(t *testing.T) {
	t.Setenv("TZ", "UTC")
	ts := time.Date(2024, 5, 1, 12, 3, 4, 500, time.UTC)
	if got := CreatedAt(ts); got != "2024-05-01 12:03:04 +0000 UTC" {
		t.Errorf("CreatedAt = %q", got)
	}
}

func TestEllipsis(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 45, "short"},
		{"abcdef", 4, "abc…"},
		{"abcd", 4, "abcd"},
		{"äöüß", 3, "äö…"},
		{"abc", 0, "abc"},
	}
	for _, tt := range tests {
		if got := Ellipsis(tt.in, tt.max); got != tt.want {
			t.Errorf("Ellipsis(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
