package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/userns"
)

// Version is this pod's monitor protocol. A monitor records it in the
// container's state when it starts the container; a pod whose version is
// lower refuses to attach to a monitor that speaks a higher one. Version 0
// is the monitors of pods that recorded no version (same frames).
const Version = 1

// The monitor role: pod re-executed with RoleEnv=Role, argv[0] Arg0 and
// argv[1] the container ID.
const (
	RoleEnv = userns.RoleEnv
	Role    = "monitor"
	Arg0    = "pod-monitor"
)

// EnvNetBundle names the bundle whose network plan the monitor starts at
// once, while the CLI still mounts and prepares the container.
const EnvNetBundle = "POD_NET_BUNDLE"

// NotifyDir is where a container of --sdnotify=container under a systemd
// unit finds its monitor's notification socket (notify.sock; the monitor
// listens in the bundle's notify/, which the spec mounts there).
const NotifyDir = "/run/notify"

// The monitor's inherited file descriptors.
const (
	FdControl = 3 // the control socket to the CLI
	FdLock    = 4 // the container's monitor lock (container.MonitorLock)
	FdStdin   = 5 // attached runs: the user's stdin, stdout and stderr
	FdStdout  = 6
	FdStderr  = 7
	// FdPreserved onwards: Start.PreserveFDs files for the container's
	// process (its 3 onwards); FdStdin..FdStderr are /dev/null in a
	// detached run that has them.
	FdPreserved = 8
)

// The handshake on the control socket, one JSON object per line:
//
//	CLI → monitor:  start
//	monitor → CLI:  started | error
//	monitor → CLI:  exited            (attached runs)
//	CLI → monitor:  ack               (the CLI cleans up after the exit)
//
// and, in a Detachable run, at any time before the exit:
//
//	CLI → monitor:  detach            (the user typed the detach keys)
//	monitor → CLI:  detached          (the monitor let the user's stdio go)
type Message struct {
	Start    *Start    `json:"start,omitempty"`
	Started  *Started  `json:"started,omitempty"`
	Error    *Failed   `json:"error,omitempty"`
	Exited   *Exited   `json:"exited,omitempty"`
	Ack      *Ack      `json:"ack,omitempty"`
	Detach   *Detach   `json:"detach,omitempty"`
	Detached *Detached `json:"detached,omitempty"`
}

// Start is everything the monitor needs to run the container.
type Start struct {
	// Version is the sender's protocol version.
	Version int `json:"version"`
	// Dir is the container's directory (its record); Bundle its run
	// directory, with the OCI spec the CLI prepared and the mounted rootfs.
	Dir     string         `json:"dir"`
	Bundle  string         `json:"bundle"`
	Runtime runtime.Handle `json:"runtime"`
	// GraphRoot, RunRoot and Driver open the store for the cleanup.
	GraphRoot string `json:"graphRoot"`
	RunRoot   string `json:"runRoot"`
	Driver    string `json:"driver"`
	// RuntimeDir is pod's $XDG_RUNTIME_DIR/pod: monitors/<id>.pid and the
	// attach sockets live there.
	RuntimeDir string `json:"runtimeDir"`
	// NoEvents: the call ran with --events-backend=none, so the monitor
	// logs no events (its container's died) either.
	NoEvents bool `json:"noEvents,omitempty"`
	// Attached: the user's stdio are FdStdin..FdStderr and the CLI waits
	// for Exited.
	Attached bool `json:"attached,omitempty"`
	// Detachable: an attached run whose CLI relays the terminal's input
	// (FdStdin is a pipe) and may send Detach; the monitor reads the
	// control socket while the container runs and keeps an attach socket.
	Detachable bool `json:"detachable,omitempty"`
	// Health is the container's effective health check, nil for none.
	Health *container.HealthConfig `json:"health,omitempty"`
	// NotifySocket is systemd's notification socket of the unit that
	// started the container ($NOTIFY_SOCKET, which the runtime never
	// gets); "" outside a unit.
	NotifySocket string `json:"notifySocket,omitempty"`
	// PreserveFDs is how many files follow at FdPreserved (--preserve-fds).
	PreserveFDs int    `json:"preserveFDs,omitempty"`
	LogLevel    string `json:"logLevel,omitempty"`
}

// Started: the container runs as Pid (0 when it exited before it was seen).
type Started struct {
	Pid int `json:"pid"`
}

// Failed: the container could not be started; Code is Docker's (125, 126
// or 127).
type Failed struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Exited: the container exited with Code; Restarting when its policy
// starts it again (the monitor goes on alone).
type Exited struct {
	Code       int  `json:"code"`
	Restarting bool `json:"restarting,omitempty"`
}

// Ack: the attached CLI got the exit and cleans up itself.
type Ack struct{}

// Detach: the user typed the detach keys; the container runs on.
type Detach struct{}

// Detached: the monitor no longer uses the CLI's stdio, and cleans up
// itself at the exit.
type Detached struct{}

// The kinds of message, as Kind names them.
const (
	KindStart    = "start"
	KindStarted  = "started"
	KindError    = "error"
	KindExited   = "exited"
	KindAck      = "ack"
	KindDetach   = "detach"
	KindDetached = "detached"
)

// Kind names the one field that is set ("" for none or several).
func (m Message) Kind() string {
	kind, n := "", 0
	for _, k := range []struct {
		set  bool
		name string
	}{{m.Start != nil, KindStart}, {m.Started != nil, KindStarted}, {m.Error != nil, KindError}, {m.Exited != nil, KindExited}, {m.Ack != nil, KindAck}, {m.Detach != nil, KindDetach}, {m.Detached != nil, KindDetached}} {
		if k.set {
			kind, n = k.name, n+1
		}
	}
	if n != 1 {
		return ""
	}
	return kind
}

// ErrUnexpected is a message of a kind the receiver did not wait for.
var ErrUnexpected = errors.New("unexpected monitor message")

// Conn is one end of the control socket.
type Conn struct {
	w   io.Writer
	dec *json.Decoder
}

// NewConn speaks the protocol over rw.
func NewConn(rw io.ReadWriter) *Conn { return &Conn{w: rw, dec: json.NewDecoder(rw)} }

// Send writes m as one line.
func (c *Conn) Send(m Message) error {
	if m.Kind() == "" {
		return fmt.Errorf("monitor protocol: sending a message of no single kind")
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	_, err = c.w.Write(append(b, '\n'))
	return err
}

// Recv reads the next message.
func (c *Conn) Recv() (Message, error) {
	var m Message
	if err := c.dec.Decode(&m); err != nil {
		return m, err
	}
	if m.Kind() == "" {
		return m, fmt.Errorf("monitor protocol: a message of no single kind")
	}
	return m, nil
}

// WaitFor reads the next message and fails unless it is one of kinds.
func (c *Conn) WaitFor(kinds ...string) (Message, error) {
	m, err := c.Recv()
	if err != nil {
		return m, err
	}
	if !slices.Contains(kinds, m.Kind()) {
		return m, fmt.Errorf("%w: %q (waiting for %v)", ErrUnexpected, m.Kind(), kinds)
	}
	return m, nil
}
