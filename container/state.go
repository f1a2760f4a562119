package container

import (
	"fmt"
	"time"

	units "github.com/docker/go-units"
)

// Status is where a container is in its lifecycle.
type Status string

// The lifecycle: created → running → exited (stopped is an exit by stop).
const (
	StatusCreated Status = "created"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
	StatusPaused  Status = "paused"
)

// State is the changing part of a container record, kept in state.json.
type State struct {
	Status     Status    `json:"status"`
	Pid        int       `json:"pid,omitempty"`
	MonitorPid int       `json:"monitorPid,omitempty"`
	ExitCode   int       `json:"exitCode"`
	StartedAt  time.Time `json:"startedAt,omitempty"`
	FinishedAt time.Time `json:"finishedAt,omitempty"`
	// Error is why the last start failed, if it did.
	Error        string `json:"error,omitempty"`
	OOMKilled    bool   `json:"oomKilled,omitempty"`
	RestartCount int    `json:"restartCount,omitempty"`
	// Runtime is the OCI runtime that runs the container.
	Runtime string `json:"runtime,omitempty"`

	// Lifecycle (monitor): StoppedByUser is set by pod stop and pod kill
	// before they signal, so the restart policy leaves the container
	// alone; Restarting while the monitor waits to start it again.
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	Restarting    bool `json:"restarting,omitempty"`

	// Health is the result of the health checks (nil: none run yet).
	Health *HealthState `json:"health,omitempty"`
}

// Describe renders the state the way Docker's STATUS column does:
// "Created", "Up 3 minutes (healthy)", "Exited (1) 2 seconds ago".
func (s State) Describe(now time.Time) string {
	switch s.Status {
	case StatusRunning:
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + healthSuffix(s.Health)
	case StatusPaused:
		return "Up " + units.HumanDuration(now.Sub(s.StartedAt)) + " (Paused)"
	case StatusExited:
		if s.Restarting {
			return fmt.Sprintf("Restarting (%d) %s ago", s.ExitCode, units.HumanDuration(now.Sub(s.FinishedAt)))
		}
		if s.FinishedAt.IsZero() {
			return fmt.Sprintf("Exited (%d)", s.ExitCode)
		}
		return fmt.Sprintf("Exited (%d) %s ago", s.ExitCode, units.HumanDuration(now.Sub(s.FinishedAt)))
	default:
		return "Created"
	}
}
