package storage

import (
	"errors"
	"strconv"
	"time"
)

// ParseUntil reads the value of an until= filter (prune and list commands
// of containers, images and volumes): a Go duration ("24h", meaning that
// long before now), Unix seconds, or an RFC 3339 time or date.
func ParseUntil(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(s, 0), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("give a duration (24h), Unix seconds or an RFC 3339 time")
}
