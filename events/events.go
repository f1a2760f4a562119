package events

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pod-project/pod/storage"
)

// Version is the schema of the lines Write writes.
const Version = 1

// The kinds of object an event is about.
const (
	Container = "container"
	Image     = "image"
	Volume    = "volume"
	Network   = "network"
)

// Event is one thing that happened. Action is Docker's and Podman's word
// for it: create, start, died, stop, kill, remove, restart, pull, push,
// tag, untag, …
type Event struct {
	Version    int               `json:"version"`
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"`
	Action     string            `json:"action"`
	ID         string            `json:"id,omitempty"`
	Name       string            `json:"name,omitempty"`
	Image      string            `json:"image,omitempty"`
	ExitCode   *int              `json:"exitCode,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// MaxSize is the size at which the log is rotated (Podman's default
// events_logfile_max_size): events.log becomes events.log.1.
const MaxSize = 1 << 20

// Log is the events log of one user (or of root). A nil *Log records
// nothing.
type Log struct{ path string }

// Open returns the log kept under runtimeDir (pod's $XDG_RUNTIME_DIR/pod);
// nothing is created until the first event.
func Open(runtimeDir string) *Log {
	if runtimeDir == "" {
		return nil
	}
	return &Log{path: filepath.Join(runtimeDir, "events", "events.log")}
}

// Path is the log file.
func (l *Log) Path() string { return l.path }

// Write appends e as one line (a single write, so concurrent writers never
// interleave), stamping its version and, when zero, its time. Rotation
// runs under a lock beside the log.
func (l *Log) Write(e Event) error {
	if l == nil {
		return nil
	}
	e.Version = Version
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return fmt.Errorf("writing an event: %w", err)
	}
	if fi, err := os.Stat(l.path); err == nil && fi.Size()+int64(len(b)) >= MaxSize {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("writing an event: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (l *Log) rotate() error {
	unlock, err := storage.Lock(l.path + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if fi, err := os.Stat(l.path); err != nil || fi.Size() < MaxSize {
		return nil // another writer rotated it
	}
	return os.Rename(l.path, l.path+".1")
}

// Read calls fn for every event in the log (the rotated one first), oldest
// first, until fn returns false. A line it cannot parse is skipped.
func (l *Log) Read(fn func(Event) bool) error {
	if l == nil {
		return nil
	}
	for _, p := range []string{l.path + ".1", l.path} {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 2*MaxSize)
		for sc.Scan() {
			var e Event
			if json.Unmarshal(sc.Bytes(), &e) != nil || e.Version > Version {
				continue
			}
			if !fn(e) {
				f.Close()
				return nil
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
