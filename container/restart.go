package container

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RestartPolicy is a container's --restart: Name is "no", "always",
// "unless-stopped" or "on-failure"; MaxRetries bounds on-failure restarts
// (0: no bound).
type RestartPolicy struct {
	Name       string
	MaxRetries int
}

// The restart policies.
const (
	RestartNo            = "no"
	RestartAlways        = "always"
	RestartUnlessStopped = "unless-stopped"
	RestartOnFailure     = "on-failure"
)

// ParseRestartPolicy parses Docker's --restart values: no (or empty),
// always, unless-stopped, on-failure[:N].
func ParseRestartPolicy(s string) (RestartPolicy, error) {
	name, count, hasCount := strings.Cut(s, ":")
	p := RestartPolicy{Name: name}
	switch name {
	case "", RestartNo:
		p.Name = RestartNo
	case RestartAlways, RestartUnlessStopped, RestartOnFailure:
	default:
		return p, fmt.Errorf("invalid restart policy %q: use no, always, unless-stopped or on-failure[:max-retries]", s)
	}
	if hasCount {
		if p.Name != RestartOnFailure {
			return p, fmt.Errorf("invalid restart policy %q: a maximum retry count only goes with on-failure", s)
		}
		n, err := strconv.Atoi(count)
		if err != nil || n < 0 {
			return p, fmt.Errorf("invalid restart policy %q: the maximum retry count must be a number >= 0", s)
		}
		p.MaxRetries = n
	}
	return p, nil
}

// String is the policy as --restart takes it ("on-failure:5").
func (p RestartPolicy) String() string {
	if p.Name == "" {
		return RestartNo
	}
	if p.Name == RestartOnFailure && p.MaxRetries > 0 {
		return p.Name + ":" + strconv.Itoa(p.MaxRetries)
	}
	return p.Name
}

// ShouldRestart decides, when the container has exited with exitCode after
// restarts restarts, whether the monitor starts it again. A container
// stopped by the user (pod stop, pod kill) is never restarted.
func (p RestartPolicy) ShouldRestart(exitCode, restarts int, stoppedByUser bool) bool {
	if stoppedByUser {
		return false
	}
	switch p.Name {
	case RestartAlways, RestartUnlessStopped:
		return true
	case RestartOnFailure:
		return exitCode != 0 && (p.MaxRetries <= 0 || restarts < p.MaxRetries)
	}
	return false
}

// Backoff timing, as Docker's: 100 ms doubling up to a minute, back to
// 100 ms once a run has lasted ResetAfter.
const (
	BackoffStart = 100 * time.Millisecond
	BackoffMax   = time.Minute
	ResetAfter   = 10 * time.Second
)

// Backoff is the wait before restart number attempt (0 for the first
// restart after a run of quick failures) of a container that ran for
// ranFor: 100 ms, 200 ms, 400 ms... capped at a minute, and 100 ms again
// when the run lasted at least 10 s (the caller then counts attempts from
// 0 again).
func Backoff(attempt int, ranFor time.Duration) time.Duration {
	if ranFor >= ResetAfter || attempt <= 0 {
		return BackoffStart
	}
	d := BackoffStart
	for i := 0; i < attempt; i++ {
		d *= 2
		if d >= BackoffMax {
			return BackoffMax
		}
	}
	return d
}
