package container

import (
	"fmt"
	"time"

	units "github.com/docker/go-units"
	"github.com/pod-project/pod/procid"
)

// Status is where a container is in its lifecycle.
type Status string

// The lifecycle: created → running → exited (stopped is an exit by stop).
const (
	StatusCreated Status = "created"
	StatusRunning Status = "running"
	StatusExited  Status = "exited"
	StatusPaused  Status = "paused"
	// StatusUnknown: the record cannot be read (see Record.Damage).
	StatusUnknown Status = "unknown"
)

// State is the changing part of a container record, kept in state.json.
type State struct {
	// Version is the record's schema (RecordVersion when written).
	Version int    `json:"version"`
	Status  Status `json:"status"`
	// Pid is the container's init process and MonitorPid its monitor;
	// each with its start time, and the boot both were recorded in, so
	// that a PID the kernel gave to another process is never taken for
	// them (see Init and Monitor). Records of pods before version 1 have
	// PIDs alone.
	Pid              int    `json:"pid,omitempty"`
	PidStartTime     uint64 `json:"pidStartTime,omitempty"`
	MonitorPid       int    `json:"monitorPid,omitempty"`
	MonitorStartTime uint64 `json:"monitorStartTime,omitempty"`
	BootID           string `json:"bootId,omitempty"`
	// MonitorProtocol is the protocol version of the monitor that runs
	// the container (0: a monitor of a pod that recorded none).
	MonitorProtocol int       `json:"monitorProtocol,omitempty"`
	ExitCode        int       `json:"exitCode"`
	StartedAt       time.Time `json:"startedAt,omitempty"`
	FinishedAt      time.Time `json:"finishedAt,omitempty"`
	// Error is why the last start failed, if it did.
	Error        string `json:"error,omitempty"`
	OOMKilled    bool   `json:"oomKilled,omitempty"`
	RestartCount int    `json:"restartCount,omitempty"`
	// Runtime is the OCI runtime that runs the container.
	Runtime string `json:"runtime,omitempty"`
	// Endpoints are the container's addresses on its user-defined
	// networks, from its last start.
	Endpoints []Endpoint `json:"endpoints,omitempty"`

	// Lifecycle (monitor): StoppedByUser is set by pod stop and pod kill
	// before they signal, so the restart policy leaves the container
	// alone; Restarting while the monitor waits to start it again.
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// StoppedAtShutdown: the stop was pod stop --shutdown (the end of a
	// session), which does not count against unless-stopped.
	StoppedAtShutdown bool `json:"stoppedAtShutdown,omitempty"`
	Restarting        bool `json:"restarting,omitempty"`

	// UserMounts counts the mounts of its root filesystem made by pod
	// mount and not yet undone by pod umount: a root filesystem mounted
	// while the container does not run is the user's then, not debris.
	UserMounts int `json:"userMounts,omitempty"`

	// Stopping: pod stop signalled the container and waits for its end
	// (Podman's "stopping"); cleared when it ends or starts again.
	Stopping bool `json:"stopping,omitempty"`

	// Health is the result of the health checks (nil: none run yet).
	Health *HealthState `json:"health,omitempty"`
}

// Describe renders the state the way Docker's STATUS column does:
// "Created", "Up 3 minutes (healthy)", "Exited (1) 2 seconds ago".
func (s State) Describe(now time.Time) string {
	switch s.Status {
	case StatusRunning:
		if s.Stopping {
			return "Stopping"
		}
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
	case StatusUnknown:
		return "Unknown"
	default:
		return "Created"
	}
}

// Init is the container's init process as recorded.
func (s State) Init() procid.ID {
	return procid.ID{PID: s.Pid, StartTime: s.PidStartTime, BootID: s.BootID}
}

// Monitor is the container's monitor process as recorded.
func (s State) Monitor() procid.ID {
	return procid.ID{PID: s.MonitorPid, StartTime: s.MonitorStartTime, BootID: s.BootID}
}

// SetInit records id as the container's init process (zero: none).
func (s *State) SetInit(id procid.ID) {
	s.Pid, s.PidStartTime = id.PID, id.StartTime
	if id.BootID != "" {
		s.BootID = id.BootID
	}
}

// SetMonitor records id as the container's monitor (zero: none).
func (s *State) SetMonitor(id procid.ID) {
	s.MonitorPid, s.MonitorStartTime = id.PID, id.StartTime
	if id.BootID != "" {
		s.BootID = id.BootID
	}
}

// Endpoint is a container's link to one user-defined network, as inspect
// shows it.
type Endpoint struct {
	Network, NetworkID string
	IPAddress          string `json:",omitempty"`
	IPPrefixLen        int    `json:",omitempty"`
	Gateway            string `json:",omitempty"`
	IPv6Address        string `json:",omitempty"`
	IPv6PrefixLen      int    `json:",omitempty"`
	IPv6Gateway        string `json:",omitempty"`
	MacAddress         string `json:",omitempty"`
	Aliases            []string
}
