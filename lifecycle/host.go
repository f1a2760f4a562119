package lifecycle

import (
	"context"
	"fmt"
	"maps"
	"os"
	"strings"
	"sync"

	"github.com/pod-project/pod/container"
	"github.com/pod-project/pod/events"
	"github.com/pod-project/pod/runtime"
	"github.com/pod-project/pod/storage"
)

// Host is what every lifecycle call works with: the open store and how pod
// runs on this host. A command makes one and calls its methods; zero
// fields mean what their comments say.
type Host struct {
	Store storage.Store
	// Driver is the store's graph driver.
	Driver   string
	Rootless bool
	// RuntimeDir is pod's runtime directory ($XDG_RUNTIME_DIR/pod): the
	// attach sockets and the monitors' PID files live there.
	RuntimeDir string
	// LogLevel is handed to the monitors pod starts.
	LogLevel string
	// Engine is the name pod was called by (pod, podman, docker), which
	// new containers record; Version is pod's, for /run/.containerenv.
	Engine, Version string
	// FindRuntime returns the OCI runtime; it is called when one is first
	// needed (a call that repairs nothing and starts nothing never pays).
	FindRuntime func(ctx context.Context) (*runtime.Runtime, error)
	// Warn receives what a call repaired or could not clean up; nil
	// drops it.
	Warn func(format string, a ...any)
	// Events records what the calls did (nil: nothing is recorded).
	Events *events.Log
	// NotifySocket is systemd's notification socket when pod runs in a
	// unit ($NOTIFY_SOCKET, which the caller takes out of the
	// environment so the runtime never sees it): the monitors it starts
	// tell systemd as --sdnotify says.
	NotifySocket string

	rtMu sync.Mutex
	rt   *runtime.Runtime
}

// Stdio are the user's standard streams for an attached run or exec.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	// NoSigProxy keeps the signals pod gets from the container
	// (--sig-proxy=false).
	NoSigProxy bool
	// DetachKeys end the user's attachment to a -it container when typed
	// (ParseDetachKeys); the container runs on. Empty never detaches.
	DetachKeys []byte
}

// CheckStreams checks -a/--attach's stream names.
func CheckStreams(streams []string) error {
	for _, a := range streams {
		switch strings.ToLower(a) {
		case "stdin", "stdout", "stderr":
		default:
			return fmt.Errorf("--attach %q: stdin, stdout or stderr", a)
		}
	}
	return nil
}

// Only keeps the streams named (-a/--attach) and puts /dev/null in the
// place of the others, as Docker's; none named keeps all three. release
// closes /dev/null.
func (s *Stdio) Only(streams []string) (release func(), err error) {
	if err := CheckStreams(streams); err != nil || len(streams) == 0 {
		return func() {}, err
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return func() {}, err
	}
	in, out, errs := null, null, null
	for _, a := range streams {
		switch strings.ToLower(a) {
		case "stdin":
			in = s.Stdin
		case "stdout":
			out = s.Stdout
		case "stderr":
			errs = s.Stderr
		}
	}
	s.Stdin, s.Stdout, s.Stderr = in, out, errs
	return func() { null.Close() }, nil
}

// Runtime is the OCI runtime, found once per Host (calls may come from
// several goroutines: stop and rm of many containers).
func (h *Host) Runtime(ctx context.Context) (*runtime.Runtime, error) {
	h.rtMu.Lock()
	defer h.rtMu.Unlock()
	if h.rt != nil {
		return h.rt, nil
	}
	if h.FindRuntime == nil {
		return nil, fmt.Errorf("no OCI runtime configured")
	}
	rt, err := h.FindRuntime(ctx)
	if err != nil {
		return nil, err
	}
	h.rt = rt
	return rt, nil
}

func (h *Host) warn(format string, a ...any) {
	if h.Warn != nil {
		h.Warn(format, a...)
	}
}

// deleter is the runtime as the container package's Deleter, found only
// when a record needs it.
func (h *Host) deleter(ctx context.Context) func() (container.Deleter, error) {
	return func() (container.Deleter, error) {
		rt, err := h.Runtime(ctx)
		if err != nil {
			return nil, err
		}
		return rt, nil
	}
}

// containerEvent records that action happened to rec; a log that cannot
// be written costs a warning, never the call.
func (h *Host) containerEvent(action string, rec *container.Record, attrs map[string]string) {
	// The container's labels go with it, as in Podman's events (the
	// label= filter of pod events reads them).
	if len(rec.Config.Labels) > 0 {
		all := maps.Clone(rec.Config.Labels)
		maps.Copy(all, attrs)
		attrs = all
	}
	e := events.Event{Type: events.Container, Action: action, ID: rec.Config.ID, Name: rec.Config.Name, Image: rec.Config.Image, Attributes: attrs}
	if err := h.Events.Write(e); err != nil {
		h.warn("recording the %s event of %s: %v", action, rec.Config.Name, err)
	}
}

// Event records an event about an image, a volume or a network (the
// image verbs that live outside lifecycle — pull, push, tag, build... —
// record theirs with it); a log that cannot be written costs a warning.
func (h *Host) Event(typ, action, id, name string) {
	if err := h.Events.Write(events.Event{Type: typ, Action: action, ID: id, Name: name}); err != nil {
		h.warn("recording the %s event of %s: %v", action, name, err)
	}
}
