package monitor

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
)

// Role is the value of POD_ROLE that makes the pod binary a monitor.
const Role = "monitor"

// Arg0 names monitor processes in ps.
const Arg0 = "pod-monitor"

// The monitor's inherited file descriptors.
const (
	fdControl = 3 // the handshake socket to the CLI
	fdLock    = 4 // the container's monitor lock (container.HoldMonitorLock)
	fdStdin   = 5 // attached runs: the user's stdin, stdout and stderr
	fdStdout  = 6
	fdStderr  = 7
)

// The handshake between the CLI and the monitor: one JSON object per
// line on the control socket (rootlesskit's pkg/messages style).
//
//	CLI → monitor:  start {config}
//	monitor → CLI:  started {pid} | error {code, message}
//	monitor → CLI:  exited {code, restarting}   (attached runs)
//	CLI → monitor:  ack                          (the CLI cleans up)
const (
	msgStart   = "start"
	msgStarted = "started"
	msgError   = "error"
	msgExited  = "exited"
	msgAck     = "ack"
)

type message struct {
	Type       string      `json:"type"`
	Pid        int         `json:"pid,omitempty"`
	Code       int         `json:"code,omitempty"`
	Message    string      `json:"message,omitempty"`
	Restarting bool        `json:"restarting,omitempty"`
	Start      *roleConfig `json:"start,omitempty"`
}

// roleConfig is everything the monitor needs, sent by the CLI with start.
type roleConfig struct {
	// Dir is the container's directory (its record); Bundle its run
	// directory, with the OCI spec the CLI prepared and the mounted rootfs.
	Dir    string         `json:"dir"`
	Bundle string         `json:"bundle"`
	OCI    runtime.Handle `json:"runtime"`
	// GraphRoot, RunRoot and Driver open the store for the cleanup.
	GraphRoot string `json:"graphRoot"`
	RunRoot   string `json:"runRoot"`
	Driver    string `json:"driver"`
	// RuntimeDir is pod's $XDG_RUNTIME_DIR/pod: monitors/<id>.pid and the
	// attach sockets live there.
	RuntimeDir string `json:"runtimeDir"`
	// Attached: the user's stdio are fds 5-7 and the CLI waits for exited.
	Attached bool `json:"attached,omitempty"`
	// Health is the container's effective health check, nil for none.
	Health   *container.HealthConfig `json:"health,omitempty"`
	LogLevel string                  `json:"logLevel,omitempty"`
}

func send(w io.Writer, m message) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func newDecoder(r io.Reader) *json.Decoder { return json.NewDecoder(r) }

func receive(d *json.Decoder) (message, error) {
	var m message
	if err := d.Decode(&m); err != nil {
		return m, err
	}
	if m.Type == "" {
		return m, fmt.Errorf("monitor handshake: a message without a type")
	}
	return m, nil
}
