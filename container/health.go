package container

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
)

// HealthConfig is a container's health check, shaped like Docker's
// Healthcheck (same JSON names, durations in nanoseconds), so an image's
// HEALTHCHECK decodes into it as it is. A zero field means Docker's default
// (interval and timeout 30s, 3 retries, no start period).
type HealthConfig struct {
	// Test is ["CMD", arg...], ["CMD-SHELL", "command"] or ["NONE"]
	// (disabled); empty means the image's test.
	Test        []string      `json:"Test,omitempty"`
	Interval    time.Duration `json:"Interval,omitempty"`
	Timeout     time.Duration `json:"Timeout,omitempty"`
	StartPeriod time.Duration `json:"StartPeriod,omitempty"`
	Retries     int           `json:"Retries,omitempty"`
	// OnFailure is what the monitor does when the container turns
	// unhealthy: "none" (or empty), "kill", "restart" or "stop".
	OnFailure string `json:"OnFailure,omitempty"`
}

// Disabled reports whether the check is switched off (--no-healthcheck,
// HEALTHCHECK NONE).
func (h *HealthConfig) Disabled() bool {
	return h != nil && len(h.Test) > 0 && h.Test[0] == "NONE"
}

// Health statuses, as Docker names them; HealthNone is a container with no
// health check (ps --filter health=none).
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
	HealthNone      = "none"
)

// HealthState is the result of a container's health checks so far, shaped
// like Docker's State.Health.
type HealthState struct {
	Status        string `json:"Status"`
	FailingStreak int    `json:"FailingStreak"`
	// Log holds the last five probes, oldest first.
	Log []HealthLogEntry `json:"Log"`
}

// HealthLogEntry is one probe.
type HealthLogEntry struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// HealthStatus is the container's health as ps shows and filters it:
// starting, healthy or unhealthy while it runs with a health check,
// otherwise none.
func (r *Record) HealthStatus() string {
	if !r.Running() {
		return HealthNone
	}
	if h := r.State.Health; h != nil && h.Status != "" {
		return h.Status
	}
	if c := r.Config.Health; c != nil && len(c.Test) > 0 && !c.Disabled() {
		return HealthStarting
	}
	return HealthNone
}

// healthSuffix is what Docker's STATUS column adds for a running container
// with a health check.
func healthSuffix(h *HealthState) string {
	if h == nil {
		return ""
	}
	switch h.Status {
	case HealthStarting:
		return " (health: starting)"
	case HealthHealthy, HealthUnhealthy:
		return " (" + h.Status + ")"
	}
	return ""
}

// InspectRestartPolicy is Docker's HostConfig.RestartPolicy.
type InspectRestartPolicy struct {
	Name              string `json:"Name"`
	MaximumRetryCount int    `json:"MaximumRetryCount"`
}

// InspectLogConfig is Docker's HostConfig.LogConfig.
type InspectLogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
	// Path is the log file and Size its rotation size ("0B": none), as
	// Podman shows them.
	Path string `json:"Path"`
	Size string `json:"Size"`
}

// inspectLifecycle fills what inspect shows of the restart policy, the log
// configuration and the health checks.
func (r *Record) inspectLifecycle(d *InspectData, running bool) {
	c := r.Config
	name, count, _ := strings.Cut(c.RestartPolicy, ":")
	if name == "" {
		name = "no"
	}
	n, _ := strconv.Atoi(count)
	d.HostConfig.RestartPolicy = InspectRestartPolicy{Name: name, MaximumRetryCount: n}
	lc := InspectLogConfig{Type: c.LogConfig.Driver, Config: map[string]string{}, Path: r.LogPath(), Size: "0B"}
	if lc.Type == "" {
		lc.Type = LogDriverJSON
	}
	if c.LogConfig.MaxSize > 0 {
		lc.Config["max-size"] = sizeString(c.LogConfig.MaxSize)
		lc.Size = units.HumanSize(float64(c.LogConfig.MaxSize))
	}
	if c.LogConfig.MaxFile > 0 {
		lc.Config["max-file"] = strconv.Itoa(c.LogConfig.MaxFile)
	}
	d.HostConfig.LogConfig = lc
	if h := c.Health; h != nil && len(h.Test) > 0 {
		d.Config.Healthcheck = h
	}
	switch {
	case r.State.Health != nil:
		d.State.Health = r.State.Health
	case running && d.Config.Healthcheck != nil && !c.Health.Disabled():
		d.State.Health = &HealthState{Status: HealthStarting, Log: []HealthLogEntry{}}
	}
}

// sizeString writes a byte count the way --log-opt max-size takes it.
func sizeString(n int64) string {
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"g", 1 << 30}, {"m", 1 << 20}, {"k", 1 << 10}} {
		if n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.suffix)
		}
	}
	return strconv.FormatInt(n, 10)
}
