package events

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	Pod       = "pod"
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
	stop := false
	for _, p := range []string{l.path + ".1", l.path} {
		if err := readFile(p, func(e Event) bool { stop = !fn(e); return !stop }); err != nil || stop {
			return err
		}
	}
	return nil
}

// pollEvery is how often Follow looks for new lines.
const pollEvery = 200 * time.Millisecond

// Follow is Read, and then calls fn for each event written later, until
// fn returns false or ctx ends (which is not an error). A rotation while
// it waits is followed into the new file.
func (l *Log) Follow(ctx context.Context, fn func(Event) bool) error {
	if l == nil {
		<-ctx.Done()
		return nil
	}
	stop := false
	// The rotated file first, then the live one, which is kept open.
	if err := readFile(l.path+".1", func(e Event) bool { stop = !fn(e); return !stop }); err != nil || stop {
		return err
	}
	var f *os.File
	var r *bufio.Reader
	var partial []byte
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	// drain passes on the whole lines written so far; a line not yet
	// whole waits in partial for the rest.
	drain := func() (bool, error) {
		for {
			line, err := r.ReadBytes('\n')
			if err == io.EOF {
				partial = append(partial, line...)
				return false, nil
			}
			if err != nil {
				return false, err
			}
			if len(partial) > 0 {
				line, partial = append(partial, line...), nil
			}
			if e, ok := parse(line); ok && !fn(e) {
				return true, nil
			}
		}
	}
	for {
		if f == nil {
			var err error
			if f, err = os.Open(l.path); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			if f != nil {
				r = bufio.NewReaderSize(f, 64<<10)
			}
		}
		if f != nil {
			if stop, err := drain(); stop || err != nil {
				return err
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(pollEvery):
		}
		// Rotated: the open file became events.log.1. Its last lines are
		// read, then the new events.log.
		if f != nil && rotated(f, l.path) {
			if stop, err := drain(); stop || err != nil {
				return err
			}
			f.Close()
			f, r, partial = nil, nil, nil
		}
	}
}

// rotated reports whether path is no longer the file f has open.
func rotated(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Stat(path)
	return err == nil && !os.SameFile(a, b)
}

// readFile calls fn for each event of the file at path until fn returns
// false; a missing file has none.
func readFile(path string, fn func(Event) bool) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 2*MaxSize)
	for sc.Scan() {
		if e, ok := parse(sc.Bytes()); ok && !fn(e) {
			return nil
		}
	}
	return sc.Err()
}

// parse reads one line; a line it cannot parse, or of a newer schema, is
// skipped.
func parse(line []byte) (Event, bool) {
	var e Event
	if json.Unmarshal(line, &e) != nil || e.Version > Version {
		return Event{}, false
	}
	return e, true
}
