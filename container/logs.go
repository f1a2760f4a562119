package container

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LogsOptions say which part of a container's log `pod logs` prints.
type LogsOptions struct {
	// Follow keeps printing what the container writes until it has
	// exited for good (its monitor is gone) and the log is drained.
	Follow bool
	// Tail prints only the last Tail lines; -1 prints all.
	Tail int
	// Since and Until keep only entries written in [Since, Until]; zero
	// times are unbounded.
	Since, Until time.Time
	// Timestamps prefixes each line with its time (RFC 3339, nanoseconds).
	Timestamps bool
}

// followInterval is how often a followed log and the state are polled.
const followInterval = 100 * time.Millisecond

// timestampFormat is Docker's fixed-width RFC 3339 with nanoseconds.
const timestampFormat = "2006-01-02T15:04:05.000000000Z07:00"

// ReadLogs prints the container's log: stdout entries to stdout, stderr
// entries to stderr, oldest first, across rotated files and restarts.
// With Follow it keeps reading (across rotation) until the container has
// exited and no monitor will restart it, or ctx ends. A container whose
// log driver keeps no logs is an error wrapping ErrNoLogs.
func ReadLogs(ctx context.Context, rec *Record, opts LogsOptions, stdout, stderr io.Writer) error {
	if d := rec.Config.LogConfig.Driver; d == LogDriverNone || d == LogDriverPassthrough {
		return fmt.Errorf("container %s uses the %s log driver, which keeps no logs: %w", rec.Config.Name, d, ErrNoLogs)
	}
	if rec.Config.LogConfig.Driver == LogDriverJournald {
		return readJournal(ctx, rec, opts, stdout, stderr)
	}
	p := newLogPrinter(stdout, stderr, opts)
	path := rec.LogPath()
	cur, err := os.Open(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("reading the log of %s: %w", rec.Config.Name, err)
	}
	var tail *tailBuffer
	emit := p.print
	if opts.Tail >= 0 {
		tail = &tailBuffer{n: opts.Tail}
		emit = tail.add
	}
	keep := func(e logEntry) {
		if p.keep(e) {
			emit(e)
		}
	}
	for _, old := range rotatedLogs(path, cur) {
		if err := readLogFile(old, keep); err != nil {
			closeFile(cur)
			return fmt.Errorf("reading the log of %s: %w", rec.Config.Name, err)
		}
	}
	var lr *logReader
	if cur != nil {
		lr = &logReader{f: cur}
		if err := lr.read(keep); err != nil {
			cur.Close()
			return fmt.Errorf("reading the log of %s: %w", rec.Config.Name, err)
		}
	}
	if tail != nil {
		for _, e := range tail.result() {
			p.print(e)
		}
	}
	if err := p.flush(); err != nil || !opts.Follow {
		closeFile(cur)
		return err
	}
	return follow(ctx, rec, path, lr, p)
}

func closeFile(f *os.File) {
	if f != nil {
		f.Close()
	}
}

// follow polls the log for new entries, switching to the new file when the
// log is rotated, until the container is done or ctx ends.
func follow(ctx context.Context, rec *Record, path string, lr *logReader, p *logPrinter) error {
	defer func() {
		if lr != nil {
			lr.f.Close()
		}
	}()
	printEntry := func(e logEntry) {
		if p.keep(e) {
			p.print(e)
		}
	}
	tick := time.NewTicker(followInterval)
	defer tick.Stop()
	for {
		// Look at the state first: what was written before it said done
		// is read below.
		done := rec.logsDone()
		var err error
		if lr, err = lr.poll(path, printEntry); err != nil {
			return fmt.Errorf("following the log of %s: %w", rec.Config.Name, err)
		}
		if err := p.flush(); err != nil {
			return err
		}
		if done || p.pastUntil || (!p.opts.Until.IsZero() && time.Now().After(p.opts.Until)) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// logsDone reports whether no more output can come: no monitor holds
// the container's lock (it exited for good and its monitor has closed the
// log), or the container is gone.
func (r *Record) logsDone() bool {
	if _, err := os.Stat(filepath.Join(r.Dir, stateFile)); err != nil {
		return true
	}
	return !r.MonitorAlive()
}

// rotatedLogs opens the rotated copies of path, oldest first, leaving out
// cur (the log a rotation may have just renamed).
func rotatedLogs(path string, cur *os.File) []string {
	matches, _ := filepath.Glob(path + ".*")
	type rotated struct {
		path string
		n    int
	}
	var rs []rotated
	for _, m := range matches {
		n, err := strconv.Atoi(strings.TrimPrefix(m, path+"."))
		if err != nil || n <= 0 {
			continue
		}
		rs = append(rs, rotated{m, n})
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].n > rs[j].n })
	var curInfo os.FileInfo
	if cur != nil {
		curInfo, _ = cur.Stat()
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if curInfo != nil {
			if fi, err := os.Stat(r.path); err == nil && os.SameFile(fi, curInfo) {
				continue
			}
		}
		out = append(out, r.path)
	}
	return out
}

func readLogFile(path string, fn func(logEntry)) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil // rotated away meanwhile
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return (&logReader{f: f}).read(fn)
}

// logReader reads complete lines from a log file that may be growing; a
// line the writer has not finished waits in pending.
type logReader struct {
	f       *os.File
	off     int64
	pending []byte
	buf     []byte
}

func (lr *logReader) read(fn func(logEntry)) error {
	if lr.buf == nil {
		lr.buf = make([]byte, 64*1024)
	}
	for {
		n, err := lr.f.Read(lr.buf)
		if n > 0 {
			lr.off += int64(n)
			lr.pending = append(lr.pending, lr.buf[:n]...)
			rest := lr.pending
			for {
				i := bytes.IndexByte(rest, '\n')
				if i < 0 {
					break
				}
				if e, err := parseLogLine(rest[:i]); err == nil {
					fn(e)
				}
				rest = rest[i+1:]
			}
			lr.pending = append(lr.pending[:0], rest...)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// poll reads what was appended to the log since the last call; when the
// log at path was rotated (another file) or truncated, it finishes the old
// file and goes on with the new one. lr may be nil (no log yet).
func (lr *logReader) poll(path string, fn func(logEntry)) (*logReader, error) {
	if lr == nil {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil
		}
		lr = &logReader{f: f}
	}
	if err := lr.read(fn); err != nil {
		return lr, err
	}
	now, err := os.Stat(path)
	old, ferr := lr.f.Stat()
	if ferr != nil {
		return lr, ferr
	}
	switch {
	case err != nil || !os.SameFile(now, old):
		lr.f.Close()
		return (*logReader)(nil).poll(path, fn)
	case old.Size() < lr.off:
		if _, err := lr.f.Seek(0, io.SeekStart); err != nil {
			return lr, err
		}
		lr.off, lr.pending = 0, lr.pending[:0]
		return lr, lr.read(fn)
	}
	return lr, nil
}

// tailBuffer keeps the last n lines of entries; a line may span several
// partial entries, and a final partial line counts as one.
type tailBuffer struct {
	n       int
	entries []logEntry
	lines   int // complete lines in entries
}

func (t *tailBuffer) add(e logEntry) {
	t.entries = append(t.entries, e)
	if e.endsLine() {
		t.lines++
	}
	for t.lines > t.n {
		t.dropLine()
	}
}

// dropLine drops the entries of the oldest complete line.
func (t *tailBuffer) dropLine() {
	for i, e := range t.entries {
		if e.endsLine() {
			t.entries = t.entries[i+1:]
			t.lines--
			return
		}
	}
}

func (t *tailBuffer) result() []logEntry {
	if len(t.entries) > 0 && !t.entries[len(t.entries)-1].endsLine() {
		if t.n == 0 {
			return nil
		}
		if t.lines >= t.n {
			t.dropLine()
		}
	}
	return t.entries
}

// logPrinter writes entries to the stream they came from.
type logPrinter struct {
	opts      LogsOptions
	w         map[string]*bufio.Writer
	last      *bufio.Writer
	midLine   map[string]bool
	pastUntil bool
}

func newLogPrinter(stdout, stderr io.Writer, opts LogsOptions) *logPrinter {
	return &logPrinter{
		opts:    opts,
		w:       map[string]*bufio.Writer{"stdout": bufio.NewWriter(stdout), "stderr": bufio.NewWriter(stderr)},
		midLine: map[string]bool{},
	}
}

// keep applies --since and --until.
func (p *logPrinter) keep(e logEntry) bool {
	if !p.opts.Since.IsZero() && e.Time.Before(p.opts.Since) {
		return false
	}
	if !p.opts.Until.IsZero() && e.Time.After(p.opts.Until) {
		p.pastUntil = true
		return false
	}
	return true
}

func (p *logPrinter) print(e logEntry) {
	w := p.w["stdout"]
	if e.Stream == "stderr" {
		w = p.w["stderr"]
	}
	// Keep the order of stdout and stderr when both go to one terminal.
	if p.last != nil && p.last != w {
		_ = p.last.Flush()
	}
	p.last = w
	if p.opts.Timestamps && !p.midLine[e.Stream] {
		_, _ = w.WriteString(e.Time.UTC().Format(timestampFormat) + " ")
	}
	_, _ = w.Write(e.Data)
	p.midLine[e.Stream] = !e.endsLine()
}

func (p *logPrinter) flush() error {
	for _, w := range p.w {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	return nil
}
