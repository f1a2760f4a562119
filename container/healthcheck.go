package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Docker's health check defaults.
const (
	DefaultHealthInterval = 30 * time.Second
	DefaultHealthTimeout  = 30 * time.Second
	DefaultHealthRetries  = 3
	// healthLogSize probes are kept in the state; outputs are cut at
	// healthOutputMax bytes.
	healthLogSize   = 5
	healthOutputMax = 4096
)

// ErrNoHealthcheck: the container has no health check, or it is disabled.
var ErrNoHealthcheck = errors.New("container has no health check")

// HealthOnFailureActions are the values of --health-on-failure.
var HealthOnFailureActions = []string{"none", "kill", "restart", "stop"}

// HealthFromDockerConfig reads the HEALTHCHECK of a Docker-format image
// config blob ({"config": {"Healthcheck": {...}}}; OCI configs have no
// such field); nil when it has none or raw is empty.
func HealthFromDockerConfig(raw []byte) (*HealthConfig, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var v struct {
		Config struct {
			Healthcheck *HealthConfig `json:"Healthcheck"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("reading the image's health check: %w", err)
	}
	return v.Config.Healthcheck, nil
}

// EffectiveHealth is the check a container runs: its own --health-*
// settings over the image's HEALTHCHECK, nil when there is none or it is
// disabled (--no-healthcheck, HEALTHCHECK NONE).
func EffectiveHealth(cfg *Config, img *ImageConfig) *HealthConfig {
	base := cfg.ImageHealth
	if cfg.Health.Disabled() {
		return nil
	}
	if cfg.Health == nil {
		if base == nil || base.Disabled() || len(base.Test) == 0 {
			return nil
		}
		return base
	}
	h := *cfg.Health
	if len(h.Test) == 0 {
		if base == nil || base.Disabled() || len(base.Test) == 0 {
			return nil
		}
		h.Test = base.Test
		h.Interval = orDefault(h.Interval, base.Interval)
		h.Timeout = orDefault(h.Timeout, base.Timeout)
		h.StartPeriod = orDefault(h.StartPeriod, base.StartPeriod)
		if h.Retries == 0 {
			h.Retries = base.Retries
		}
	}
	return &h
}

func orDefault(v, fallback time.Duration) time.Duration {
	if v != 0 {
		return v
	}
	return fallback
}

// HealthArgv turns a Test into the command to run in the container:
// CMD-SHELL runs through /bin/sh -c; nil for NONE or an empty test.
func HealthArgv(test []string) ([]string, error) {
	if len(test) == 0 {
		return nil, nil
	}
	switch test[0] {
	case "NONE":
		return nil, nil
	case "CMD":
		if len(test) < 2 {
			return nil, fmt.Errorf("health check %q: CMD needs a command", test)
		}
		return test[1:], nil
	case "CMD-SHELL":
		if len(test) != 2 || test[1] == "" {
			return nil, fmt.Errorf("health check %q: CMD-SHELL takes one command line", test)
		}
		return []string{"/bin/sh", "-c", test[1]}, nil
	}
	return nil, fmt.Errorf("health check %q: the test starts with CMD, CMD-SHELL or NONE", test)
}

// HealthChecker runs a container's health check and keeps the result in
// its state.
type HealthChecker struct {
	rec  *Record
	cfg  HealthConfig
	argv []string
	err  error
	run  func(ctx context.Context, argv []string) (int, string, error)
	now  func() time.Time
}

// NewHealthChecker makes a checker for rec with cfg (zero fields take
// Docker's defaults); run runs argv in the container and returns its exit
// code and combined output (ExecProbe does it through the OCI runtime).
func NewHealthChecker(rec *Record, cfg HealthConfig, run func(ctx context.Context, argv []string) (exitCode int, output string, err error)) *HealthChecker {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultHealthInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultHealthTimeout
	}
	if cfg.Retries <= 0 {
		cfg.Retries = DefaultHealthRetries
	}
	h := &HealthChecker{rec: rec, cfg: cfg, run: run, now: time.Now}
	h.argv, h.err = HealthArgv(cfg.Test)
	if h.err == nil && h.argv == nil {
		h.err = fmt.Errorf("container %s: %w", rec.Config.Name, ErrNoHealthcheck)
	}
	return h
}

// RunOnce runs the check once and records its result in the container's
// state (under its lock, so pod healthcheck run and the monitor agree).
// A probe that fails to run or outlasts the timeout counts as a failure
// (exit code -1). The error is for a check that cannot run at all
// (ErrNoHealthcheck), ctx ending, or a state that cannot be written.
func (h *HealthChecker) RunOnce(ctx context.Context) (HealthState, error) {
	if h.err != nil {
		return HealthState{}, h.err
	}
	pctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	start := h.now()
	code, out, err := h.run(pctx, h.argv)
	end := h.now()
	timedOut := errors.Is(pctx.Err(), context.DeadlineExceeded)
	cancel()
	if ctx.Err() != nil {
		return HealthState{}, ctx.Err()
	}
	switch {
	case timedOut:
		code, out = -1, fmt.Sprintf("Health check exceeded timeout (%v)", h.cfg.Timeout)
	case err != nil:
		code, out = -1, err.Error()
	}
	if len(out) > healthOutputMax {
		out = out[:healthOutputMax]
	}
	entry := HealthLogEntry{Start: start, End: end, ExitCode: code, Output: out}
	var st HealthState
	err = h.rec.UpdateState(func(s *State) {
		st = nextHealth(s.Health, s.StartedAt, h.cfg, entry)
		s.Health = &st
	})
	if err != nil {
		return st, fmt.Errorf("recording the health of %s: %w", h.rec.Config.Name, err)
	}
	return st, nil
}

// nextHealth applies one probe as Docker does: success makes the container
// healthy; a failure counts towards Retries (then unhealthy), except while
// it is still starting within its start period.
func nextHealth(cur *HealthState, startedAt time.Time, cfg HealthConfig, e HealthLogEntry) HealthState {
	st := HealthState{Status: HealthStarting}
	if cur != nil {
		st = *cur
		st.Log = append([]HealthLogEntry(nil), cur.Log...)
	}
	if e.ExitCode == 0 {
		st.Status, st.FailingStreak = HealthHealthy, 0
	} else if !(st.Status == HealthStarting && e.Start.Before(startedAt.Add(cfg.StartPeriod))) {
		st.FailingStreak++
		if st.FailingStreak >= cfg.Retries {
			st.Status = HealthUnhealthy
		}
	}
	st.Log = append(st.Log, e)
	if len(st.Log) > healthLogSize {
		st.Log = st.Log[len(st.Log)-healthLogSize:]
	}
	return st
}

// Loop resets the health to starting and runs the check every Interval
// until ctx ends (the container exits). When a probe changes the
// container's status, onChange (if not nil) is called with the new one:
// the caller applies OnFailure (kill, restart, stop) on unhealthy, and
// tells systemd on healthy (--sdnotify=healthy).
func (h *HealthChecker) Loop(ctx context.Context, onChange func(status string)) {
	if h.err != nil {
		return
	}
	_ = h.rec.UpdateState(func(s *State) {
		s.Health = &HealthState{Status: HealthStarting, Log: []HealthLogEntry{}}
	})
	prev := HealthStarting
	t := time.NewTimer(h.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := h.RunOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			if st.Status != prev && onChange != nil {
				onChange(st.Status)
			}
			prev = st.Status
		}
		t.Reset(h.cfg.Interval)
	}
}
