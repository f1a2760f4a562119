package image

import (
	"strconv"
	"time"
	"unicode/utf8"

	units "github.com/docker/go-units"
)

// HumanSize formats a byte count the way Docker's SIZE columns do:
// decimal units, three significant digits ("4.26MB", "0B").
func HumanSize(n int64) string {
	return units.HumanSizeWithPrecision(float64(n), 3)
}

// SizeString formats a size for history's SIZE column: human, or the plain
// byte count with human false (docker history -H=false).
func SizeString(n int64, human bool) string {
	if human {
		return HumanSize(n)
	}
	return strconv.FormatInt(n, 10)
}

// CreatedSince formats a creation time relative to now as Docker's CREATED
// column does ("2 minutes ago", "About an hour ago"); "N/A" when unknown.
func CreatedSince(t, now time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	d := now.Sub(t)
	if d < 0 {
		d = 0
	}
	return units.HumanDuration(d) + " ago"
}

// CreatedAt formats a creation time as Docker's .CreatedAt template field
// ("2024-05-01 10:02:03 +0200 CEST"), in local time.
func CreatedAt(t time.Time) string {
	if t.IsZero() {
		return "N/A"
	}
	return t.Local().Truncate(time.Second).Format("2006-01-02 15:04:05 -0700 MST")
}

// Ellipsis shortens s to at most max runes, ending in "…" when cut, as
// Docker truncates CREATED BY.
func Ellipsis(s string, max int) string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	if max == 1 {
		return string(r[:1])
	}
	return string(r[:max-1]) + "…"
}
